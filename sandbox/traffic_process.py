"""Starting and stopping the sandbox's traffic generator (sandbox/traffic.py) as a detached
process, the way sandbox/api_server.py runs the API.

`start(state, rate)` returns once the generator has had its first answer from the API (an
event in its log, not a guessed delay), so a watch started right after has traffic to judge;
`stop(root)` signals it only when its pid is still a traffic generator.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from cutover.errors import ConfigError
from sandbox.api_server import terminate
from sandbox.traffic import DEFAULT_RATE, LOG_FILE, PID_FILE

START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def running_pid(root: Path) -> int | None:
    """The pid of this sandbox's running traffic generator, or None."""
    try:
        pid = int((Path(root) / PID_FILE).read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b"sandbox.traffic" in cmdline else None


def start(state, rate: float = DEFAULT_RATE,
          log: Callable[[str], None] | None = None) -> int:
    """Start the generator (or keep the running one); returns its pid."""
    root = Path(state.root)
    pid = running_pid(root)
    if pid is not None:
        _say(log, f"traffic already running (pid {pid}, log {root / LOG_FILE})")
        return pid
    log_file = root / LOG_FILE
    offset = log_file.stat().st_size if log_file.exists() else 0
    fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sandbox.traffic", "--data-dir", str(root), "--rate",
             f"{rate:g}"], stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, cwd=root)
    _await_first_response(proc, log_file, offset)
    _say(log, f"traffic: {rate:g} reads/s from two tenants (pid {proc.pid}, log {log_file})")
    return proc.pid


def _await_first_response(proc: subprocess.Popen, log_file: Path, offset: int) -> None:
    """Wait for the generator's `first_response` line; a generator that dies is reported
    by its last log line."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        lines = _lines_from(log_file, offset)
        if any(_event(line) == "first_response" for line in lines):
            return
        if proc.poll() is not None:
            last = lines[-1] if lines else "(no output)"
            raise ConfigError(f"the sandbox traffic generator exited with code "
                              f"{proc.returncode}: {last[-300:]}")
        time.sleep(0.1)
    stop_pid(proc.pid)
    raise ConfigError(f"the sandbox traffic generator had no answer from the API within "
                      f"{START_TIMEOUT:g} s (log {log_file})")


def _lines_from(path: Path, offset: int) -> list[str]:
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            return [ln for ln in fh.read().decode(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return []


def _event(line: str) -> str | None:
    try:
        return json.loads(line).get("event")
    except (ValueError, AttributeError):
        return None


def stop(root: Path) -> bool:
    """Stop this sandbox's generator; False when none was running."""
    pid = running_pid(root)
    (Path(root) / PID_FILE).unlink(missing_ok=True)  # also tells a live one to stop
    return pid is not None and stop_pid(pid)


def stop_pid(pid: int, timeout: float = STOP_TIMEOUT) -> bool:
    """SIGTERM our generator, SIGKILL after `timeout`."""
    terminate(pid, timeout)
    return True


def _say(log: Callable[[str], None] | None, line: str) -> None:
    if log is not None:
        log(line)

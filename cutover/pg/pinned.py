"""Sessions that do not trust the database they judge (docs/adding-a-check.md, issue 24.6).

Whatever the target's owner configured (`ALTER DATABASE/ROLE ... SET search_path`,
statement_timeout = 0, a lock held forever), a session the gate or a runbook step opens
pins its own: search_path = pg_catalog, pg_temp (so nothing the target defines can shadow
a name the tool calls: connection options outrank per-database and per-role settings),
a statement_timeout and a lock_timeout, and read-only unless it must write. A target that
makes a read hang then fails with a timeout error, in bounded time, never a hang.

The bounds come from SOLVEREIGN_GATE_STATEMENT_TIMEOUT / SOLVEREIGN_GATE_LOCK_TIMEOUT
(PostgreSQL durations, e.g. `60s`, `500ms`), so a test or a slow target can set them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

import psycopg

from cutover.errors import ConfigError
from cutover.pg.connect import connect

SEARCH_PATH = "pg_catalog,pg_temp"
STATEMENT_TIMEOUT_VAR = "SOLVEREIGN_GATE_STATEMENT_TIMEOUT"
LOCK_TIMEOUT_VAR = "SOLVEREIGN_GATE_LOCK_TIMEOUT"
DEFAULTS = {STATEMENT_TIMEOUT_VAR: "60s", LOCK_TIMEOUT_VAR: "10s"}
_DURATION = re.compile(r"^[1-9][0-9]*(ms|s|min)?$")


def timeouts(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(statement_timeout, lock_timeout); a malformed value is one line naming the variable.
    Zero is refused: it means 'no bound', which is what these settings exist to prevent."""
    env = os.environ if env is None else env
    out = []
    for var in (STATEMENT_TIMEOUT_VAR, LOCK_TIMEOUT_VAR):
        value = (env.get(var) or DEFAULTS[var]).strip()
        if not _DURATION.match(value):
            raise ConfigError(f"{var}={value!r} is not a positive duration (e.g. 60s, 500ms)")
        out.append(value)
    return out[0], out[1]


def options(*, read_only: bool = True, env: Mapping[str, str] | None = None) -> str:
    """The libpq `options` string that pins the session."""
    statement, lock = timeouts(env)
    opts = (f"-c search_path={SEARCH_PATH} -c statement_timeout={statement} "
            f"-c lock_timeout={lock} -c idle_in_transaction_session_timeout=0")
    return opts + (" -c default_transaction_read_only=on" if read_only else "")


def connect_pinned(url: str, application_name: str, *, read_only: bool = True,
                   env: Mapping[str, str] | None = None, **kw: object) -> psycopg.Connection:
    """A session with the pinned search_path and timeouts (TargetError if unreachable)."""
    return connect(url, application_name=application_name,
                   options=options(read_only=read_only, env=env), **kw)

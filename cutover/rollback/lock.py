"""One rollback at a time per target database: a session advisory lock that dies with its
holder.

The lock lives in the maintenance database (`postgres`), which no rollback renames, and is
held by an admin session for the whole run: a second rollback of the same database is
refused at once, naming the holder (pid, user, application, since when), before it touches
anything; a killed rollback's lock vanishes with its connection, so nothing stale is left.
"""

from __future__ import annotations

import os
import socket

import psycopg

from cutover.errors import EXIT_FAIL, CutoverError
from cutover.pg.connect import connect

LOCK_CLASS = 0x52_42  # 'RB': two-key advisory lock (class, hashtext(target))
_HOLDER = """
SELECT a.pid, a.usename, a.application_name, a.backend_start::text
  FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
   AND l.database = (SELECT oid FROM pg_catalog.pg_database
                      WHERE datname = pg_catalog.current_database())
   AND l.classid = %s AND l.objid = pg_catalog.hashtext(%s)::oid
 LIMIT 1
"""


class RollbackBusy(CutoverError):
    """Another rollback of the same database holds the lock (exit 1, nothing changed)."""

    exit_code = EXIT_FAIL


def application_name() -> str:
    """Names this process in pg_stat_activity, so a refused second run can name it."""
    return f"cutover rollback pid {os.getpid()}@{socket.gethostname()}"[:63]


def acquire(maintenance_url: str, target: str) -> psycopg.Connection:
    """Open the holding session and take the lock; RollbackBusy naming the holder."""
    conn = connect(maintenance_url, name="SOLVEREIGN_ADMIN_DB_URL",
                   application_name=application_name())
    try:
        row = conn.execute("SELECT pg_catalog.pg_try_advisory_lock(%s, pg_catalog.hashtext(%s))",
                           (LOCK_CLASS, target)).fetchone()
        if row and row[0]:
            return conn
        holder = conn.execute(_HOLDER, (LOCK_CLASS, target)).fetchone()
    except BaseException:
        conn.close()
        raise
    conn.close()
    who = (f"pid {holder[0]}, user {holder[1]}, application {holder[2]!r}, connected since "
           f"{holder[3]}") if holder else "a session this role cannot see"
    raise RollbackBusy(f"another rollback of {target!r} is running ({who}); refusing to start "
                       "a second one (nothing was changed)")

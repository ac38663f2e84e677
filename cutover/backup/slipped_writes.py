"""Proving that no write slipped past the freeze while the dump ran (cutover.backup.dump).

The per-table insert/update/delete counters are read before the snapshot and after the
dump; a backend flushes its counters at most PGSTAT_IDLE_INTERVAL after its last
transaction, so each read first waits until every other session must have flushed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg

from cutover.backup import facts as dbfacts
from cutover.backup.archive import BackupRefused

# PGSTAT_IDLE_INTERVAL (10 s) plus margin: by then an idle backend has flushed its counters.
STATS_FLUSH_BOUND = 10.5
Log = Callable[[str], None]


def _say(log: Log | None, line: str) -> None:
    if log:
        log(line)



def settle(conn: psycopg.Connection, tag: str, bound: float, log: Log | None) -> float:
    """Wait until every other session's pending write counters must have been flushed;
    refuse an open write transaction. Returns the seconds waited.

    A backend defers flushing its statistics for up to PGSTAT_IDLE_INTERVAL after its last
    transaction, so a write from a pooled connection shows in pg_stat_user_tables only
    seconds later; reading the counters too early would miss it.
    """
    if bound <= 0:
        return 0.0
    if not dbfacts.sees_other_sessions(conn):
        _say(log, f"  cannot see other sessions (grant pg_monitor to this role); "
                  f"waiting the full {bound:g}s for their counters")
        time.sleep(bound)
        return bound
    sessions = dbfacts.other_sessions(conn, tag)
    writers = [s for s in sessions if s["writing"]]
    if writers:
        who = "; ".join(f"pid {s['pid']} user {s['usename']} application "
                        f"{s['application_name']!r}" for s in writers)
        raise BackupRefused(f"a write transaction is open ({who}): writes are not frozen")
    # a session that is not idle (running a statement, or inside a read transaction) may
    # still gather counters it has not flushed: it counts as idle for 0 s
    ages = [s["idle_seconds"] if s["state"] == "idle" and s["idle_seconds"] is not None
            else 0.0 for s in sessions]
    wait = max([0.0, *(bound - a for a in ages)])
    if wait > 0:
        _say(log, f"  waiting {wait:.1f}s until {len(ages)} other session(s) have flushed "
                  "their write counters")
        time.sleep(wait)
    return wait


def refuse_if_moved(before: dbfacts.Counters, after: dbfacts.Counters) -> None:
    """The freeze check: any counter that moved means a write the dump may not contain."""
    changed = dbfacts.moved(before, after)
    if changed:
        parts = [f"{name} (+{d[0]} ins, +{d[1]} upd, +{d[2]} del)" for name, d in changed.items()]
        raise BackupRefused(
            "writes slipped past the freeze while the dump ran: " + ", ".join(parts)
            + "; the dump was discarded — prove the freeze and take the backup again"
        )

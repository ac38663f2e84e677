"""Proving that no write slipped past the freeze while the backup ran (cutover.backup.dump).

The proof is made with transaction IDs, not with the statistics collector, so it waits on
nothing. Every change to a table's rows stamps the writer's xid into the row versions it
creates (xmin) and removes or locks (xmax), and a transaction gets an xid only when it
writes. At the start of the backup, once no write transaction is open, a *witness*
REPEATABLE READ transaction takes a snapshot (X0) and holds it; after the dump, the
transactions that had not committed in X0 (xid >= its xmax, or in its xip) and have
committed since, or still run, are the suspects:

* no suspect at all (the usual case when writes are frozen): nothing can have changed a
  row after X0, so the dump, taken after X0, holds every write; PASS, no wait;
* suspects (xids are cluster-wide: autovacuum's ANALYZE and other databases of the server
  take them too): every table they could have written is scanned for row versions they
  stamped, new ones in a fresh snapshot (xmin) and removed ones in X0 (xmax, where the
  removed rows are still visible). A table holding any is a slipped write: the backup is
  refused naming the table, the counts and the transactions. Which tables to scan: those
  whose insert/update/delete counters moved since the start, read once the other sessions
  must have flushed them (the settle, at most `bound` seconds; a table whose counters did
  not move was not written), or every table when the bound is 0.

A write transaction still open at the start or the end is refused naming its session
(pg_stat_activity with pg_read_all_stats; and pg_locks, which any role reads: a transaction
still running that holds a write lock on a table of this database; at the start this also
rules out a writer whose subtransaction xids X0's xip, top-level only, would not list), and
a table that appeared or vanished during the dump (DDL) is refused naming it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql

from cutover.backup import facts as dbfacts
from cutover.backup.archive import BackupRefused
from cutover.pg.connect import connect

# PGSTAT_IDLE_INTERVAL (10 s) plus margin: by then an idle backend has flushed its counters.
# Only a backup that found suspect transactions waits it (to know which tables to scan).
STATS_FLUSH_BOUND = 10.5
METHOD = "xid horizon"
_XID32 = 1 << 32  # a tuple header holds the low 32 bits of the xid
Log = Callable[[str], None]


def _say(log: Log | None, line: str) -> None:
    if log:
        log(line)


@dataclass
class Witness:
    """The start of the proof: X0 held open, and the counters read just before it."""

    conn: psycopg.Connection
    xmin: int
    xmax: int
    xip: list[int]
    counters: dbfacts.Counters

    def close(self) -> None:
        """Release X0 (the proof is done, or the backup failed)."""
        self.conn.close()


def _xid_snapshot(conn: psycopg.Connection) -> tuple[int, int, list[int]]:
    row = conn.execute(dbfacts.query_text("xid_snapshot")).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), [int(x) for x in row[2] or []]


def refuse_open_writers(conn: psycopg.Connection, tag: str) -> None:
    """An open write transaction (one holding an xid) means writes are not frozen."""
    if not dbfacts.sees_other_sessions(conn):
        return  # cannot see other roles' sessions: the xid proof still catches their writes
    writers = [s for s in dbfacts.other_sessions(conn, tag) if s["writing"]]
    if writers:
        who = "; ".join(f"pid {s['pid']} user {s['usename']} application "
                        f"{s['application_name']!r}" for s in writers)
        raise BackupRefused(f"a write transaction is open ({who}): writes are not frozen")


def open_witness(url: str, ctl: psycopg.Connection, tag: str) -> Witness:
    """Refuse an open writer, read the counters, then take and hold X0 (in that order: the
    counters are read before X0, so a table whose counters never move was not written
    after X0)."""
    refuse_open_writers(ctl, tag)
    counters = dbfacts.counters(ctl)
    conn = connect(url, name="backup URL", application_name=tag)
    try:
        dbfacts.prepare_session(conn)
        conn.autocommit = False
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        xmin, xmax, xip = _xid_snapshot(conn)  # the first statement: X0 is taken here
        # after X0: a writer open now may hold subtransaction xids below X0's xmax that X0's
        # xip (top-level xids only) does not list; no such writer may be open
        refuse_running_writers(ctl, [int(r[0]) for r in
                                     ctl.execute(dbfacts.query_text("running_xids"))])
    except BaseException:
        conn.close()
        raise
    return Witness(conn, xmin, xmax, xip, counters)


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
    refuse_open_writers(conn, tag)
    sessions = dbfacts.other_sessions(conn, tag)
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


def _widen(xid32: int, near: int) -> int:
    """The 64-bit xid (epoch and all) of a 32-bit one within 2^31 of `near`."""
    full = (near & ~(_XID32 - 1)) | xid32
    if full > near + _XID32 // 2:
        full -= _XID32
    elif full < near - _XID32 // 2:
        full += _XID32
    return full


def suspects(witness: Witness, ctl: psycopg.Connection) -> dict[int, str]:
    """{xid: status} of every transaction not committed in X0 that has committed or still
    runs now (cluster-wide): xids from X0's xmax up to the fresh snapshot's, X0's xip, and
    the xids running now that X0 did not see committed (a snapshot's xmax is the last
    completed xid + 1: a later xid still running is only in pg_locks)."""
    _xmin, now_xmax, _xip = _xid_snapshot(ctl)
    running = [_widen(int(r[0]), now_xmax)
               for r in ctl.execute(dbfacts.query_text("running_xids")).fetchall()]
    extra = sorted({*witness.xip, *(x for x in running if x >= witness.xmax)})
    rows = ctl.execute(dbfacts.query_text("xids_since"),
                       {"lo": witness.xmax, "hi": now_xmax, "extra": extra}).fetchall()
    return {int(r[0]): str(r[1]) for r in rows}


def refuse_running_writers(ctl: psycopg.Connection, xids: Sequence[int]) -> None:
    """A transaction among `xids` still running with a write lock here is an open writer
    whose rows no snapshot shows yet: refused by pid, xid and tables (pg_locks shows every
    role's sessions to any role)."""
    running = sorted({x % _XID32 for x in xids})
    if not running:
        return
    rows = ctl.execute(dbfacts.query_text("open_writers"), {"xids": running}).fetchall()
    if rows:
        who = "; ".join(f"pid {pid} transaction {xid} writing {rels}" for pid, xid, rels in rows)
        raise BackupRefused(f"a write transaction is open ({who}): writes are not frozen")


def _count(conn: psycopg.Connection, name: str, column: str, xids: list[int]) -> int:
    stmt = sql.SQL(dbfacts.query_text("row_versions")).format(
        table=sql.SQL(name),  # regclass text: already quoted and schema-qualified
        column=sql.Identifier(column), xids=sql.Literal(xids) + sql.SQL("::bigint[]"))
    row = conn.execute(stmt).fetchone()
    return int(row[0]) if row else 0


def stamped(witness: Witness, ctl: psycopg.Connection, names: Sequence[str],
            xids: Sequence[int]) -> dict[str, list[int]]:
    """{table: [ins, upd, del]} of the row versions `xids` stamped in each of `names`: new
    versions (xmin, fresh snapshot) and removed ones (xmax, X0); a transaction that did
    both in one table counts as updates (min of the two)."""
    xids32 = sorted({x % _XID32 for x in xids})
    out = {}
    for name in names:
        new = _count(ctl, name, "xmin", xids32)
        try:
            with witness.conn.transaction():  # a savepoint: X0 survives a vanished table
                gone = _count(witness.conn, name, "xmax", xids32)
        except psycopg.errors.UndefinedTable:
            gone = 0  # created after X0: nothing of it was visible there
        if new or gone:
            upd = min(new, gone)
            out[name] = [new - upd, upd, gone - upd]
    return out


def _ddl(before: dbfacts.Counters, after: dbfacts.Counters) -> None:
    appeared, vanished = sorted(set(after) - set(before)), sorted(set(before) - set(after))
    if appeared or vanished:
        parts = [f"{n} appeared" for n in appeared] + [f"{n} vanished" for n in vanished]
        raise BackupRefused("tables changed while the backup ran (DDL during the freeze): "
                            + ", ".join(parts) + "; the dump was discarded")


def prove(witness: Witness, ctl: psycopg.Connection, tag: str, scannable: Sequence[str],
          bound: float, log: Log | None) -> dict:
    """The end of the proof (module docstring): the record for the manifest, or
    BackupRefused naming what slipped past the freeze. `scannable` are the tables that
    hold row versions of their own (ordinary tables and materialized views)."""
    started = time.monotonic()
    refuse_open_writers(ctl, tag)
    after = dbfacts.counters(ctl)
    _ddl(witness.counters, after)
    found = suspects(witness, ctl)
    record: dict = {"method": METHOD, "witness_xmax": witness.xmax,
                    "suspect_transactions": len(found), "settled_seconds": 0.0,
                    "scanned": [], "counters_after": after}
    refuse_running_writers(ctl, [x for x, status in found.items() if status == "in progress"])
    if found:
        _say(log, f"  {len(found)} transaction(s) committed or ran since the witness "
                  "snapshot (xids are cluster-wide); looking for their rows")
        if bound > 0:
            record["settled_seconds"] = settle(ctl, tag, bound, log)
            after = record["counters_after"] = dbfacts.counters(ctl)
            _ddl(witness.counters, after)
            moved = set(dbfacts.moved(witness.counters, after))
            names = [n for n in scannable if n in moved]
        else:
            names = list(scannable)
        record["scanned"] = names
        written = stamped(witness, ctl, names, list(found))
        if written:
            parts = [f"{n} (+{d[0]} ins, +{d[1]} upd, +{d[2]} del)" for n, d in written.items()]
            xids = ", ".join(str(x) for x in list(found)[:8]) + (" ..." if len(found) > 8
                                                                else "")
            raise BackupRefused(
                "writes slipped past the freeze while the backup ran: " + ", ".join(parts)
                + f" (by suspect transaction(s) {xids}); the dump was discarded — prove the freeze "
                "and take the backup again")
    record["seconds"] = round(time.monotonic() - started, 3)
    return record

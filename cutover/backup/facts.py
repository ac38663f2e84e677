"""Facts about a database that a backup records and a rollback must find again.

Both sides read them with the same queries (the `*.sql` files beside this module)
and the same session settings, so "equal" means equal: identity, per-table write counters,
the tables a dump must hold, row counts and content checksums, the security fingerprint
(ownership, privileges, row security, policies) and the state of every id sequence.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from cutover.migrate import ledger

# Output formats fixed per session: a row's text (what the checksum hashes) must not depend
# on the client's time zone, date style or float settings. search_path '' makes every
# regclass name schema-qualified. row_security off makes a role that RLS would filter fail
# loudly instead of checksumming a subset (pg_dump does the same).
SESSION_SETTINGS = {
    "search_path": "",
    "TimeZone": "UTC",
    "DateStyle": "ISO, YMD",
    "IntervalStyle": "postgres",
    "extra_float_digits": "1",
    "bytea_output": "hex",
    "row_security": "off",
}

# Order-independent content checksums: an exact sum (not XOR: duplicate rows must count) of
# a hash per row, beside the row count. No sort, no primary key needed, no 1 GB string_agg
# limit; one sequential scan per table. `hrx64` hashes each value with its type's own hash
# function (hash_record_extended, 64 bits): ~6x cheaper than formatting the row as text (it
# runs beside pg_dump, so its CPU is the backup's overhead), but only for tables of built-in
# base types (an enum hashes by OID, which a restore changes). `md5sum128` hashes the row's
# text (under SESSION_SETTINGS) and works for any table. A changed row escapes either with
# probability ~2^-64 or less: they detect a lossy restore, they are not a MAC.
CHECKSUM_METHODS = {
    "hrx64": """
SELECT count(*), coalesce(sum(pg_catalog.hash_record_extended(t, 0)), 0)::text
  FROM ONLY {table} AS t
""",
    "md5sum128": """
SELECT count(*),
       coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint), 0)::text || ':' ||
       coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint), 0)::text
  FROM (SELECT md5(t::text) AS h FROM ONLY {table} AS t) AS rows
""",
}


def query_text(name: str) -> str:
    """The text of `<name>.sql` shipped beside this module."""
    return resources.files("cutover.backup").joinpath(f"{name}.sql").read_text()


def prepare_session(conn: psycopg.Connection) -> None:
    """Apply SESSION_SETTINGS (outside any transaction, so they last the session), in one
    round trip: every connection of a backup and a rollback pays for it."""
    calls = sql.SQL(", ").join(
        sql.SQL("pg_catalog.set_config({}, {}, false)").format(sql.Literal(k), sql.Literal(v))
        for k, v in SESSION_SETTINGS.items())
    conn.execute(sql.SQL("SELECT ") + calls)


def _rows(conn: psycopg.Connection, name: str, params: dict | None = None) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query_text(name), params)  # type: ignore[arg-type]  # shipped SQL
        return list(cur.fetchall())


# -- identity --------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """What makes a database *this* database: the cluster's system identifier and the name."""

    system_identifier: str
    name: str

    def describe(self) -> str:
        """One phrase for messages that name both sides of a mismatch."""
        return f"database {self.name!r} on system {self.system_identifier}"


def identity(conn: psycopg.Connection) -> tuple[Identity, dict[str, Any]]:
    """The identity and the database-level properties (owner, locale, ACL, settings...)."""
    row = _rows(conn, "identity")[0]
    props = dict(row)
    props["acl"] = _rows(conn, "database_acl")
    props["settings"] = [{"role": r["role"], "config": list(r["setconfig"] or [])}
                         for r in _rows(conn, "database_settings")]
    return Identity(row["system_identifier"], row["name"]), props


def wal_position(conn: psycopg.Connection) -> str:
    """The current WAL insert position (the manifest's start/end LSN)."""
    row = conn.execute("SELECT pg_catalog.pg_current_wal_lsn()::text").fetchone()
    return str(row[0]) if row else ""


def ledger_head(conn: psycopg.Connection) -> str | None:
    """The migration ledger's head, read through the runner's own code."""
    return ledger.head(conn)


# -- write counters and other sessions -----------------------------------------------------

Counters = dict[str, list[int]]


def counters(conn: psycopg.Connection) -> Counters:
    """n_tup_ins/upd/del per table, fresh (the statistics snapshot is cleared first)."""
    conn.execute("SELECT pg_catalog.pg_stat_clear_snapshot()")
    return {r["name"]: [int(r["n_tup_ins"]), int(r["n_tup_upd"]), int(r["n_tup_del"])]
            for r in _rows(conn, "counters")}


def moved(before: Counters, after: Counters) -> dict[str, list[int]]:
    """Tables whose counters differ: name → [Δins, Δupd, Δdel] (a new table counts too)."""
    out = {}
    for name in sorted(set(before) | set(after)):
        b, a = before.get(name, [0, 0, 0]), after.get(name, [0, 0, 0])
        if a != b or name not in before or name not in after:
            out[name] = [x - y for x, y in zip(a, b, strict=True)]
    return out


def other_sessions(conn: psycopg.Connection, tag: str) -> list[dict]:
    """Other client sessions of this database, not ours: ours carry application_name `tag`
    (see sessions.sql)."""
    return _rows(conn, "sessions", {"tag": tag})


def sees_other_sessions(conn: psycopg.Connection) -> bool:
    """True when this role may read other roles' session state (pg_read_all_stats)."""
    row = conn.execute(
        "SELECT pg_catalog.pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')").fetchone()
    return bool(row and row[0])


# -- tables and content ------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A table (or materialized view) that a dump must contain."""

    name: str
    kind: str  # r ordinary (incl. partitions), p partitioned, m materialized view
    schema: str
    relname: str
    populated: bool
    bytes: int
    hashable: bool = False

    @property
    def has_rows(self) -> bool:
        """Only ordinary tables hold rows of their own; we checksum those."""
        return self.kind == "r"


def tables(conn: psycopg.Connection) -> list[Table]:
    """Every table of the application's schemas, biggest first."""
    return [Table(**r) for r in _rows(conn, "tables")]


def _run_checksum(conn: psycopg.Connection, table: Table, method: str) -> dict[str, Any]:
    stmt = sql.SQL(CHECKSUM_METHODS[method]).format(
        table=sql.Identifier(table.schema, table.relname))
    row = conn.execute(stmt).fetchone()
    assert row is not None
    return {"rows": int(row[0]), "checksum": f"{method}:{row[1]}"}


def checksum_table(conn: psycopg.Connection, table: Table,
                   method: str | None = None) -> dict[str, Any]:
    """{'rows': n, 'checksum': '<method>:...'} of one table's own rows (ONLY: partitions are
    tables of their own). Without `method`, the cheap one where it applies; a type without a
    hash function falls back to md5 (inside a savepoint: the snapshot transaction survives)."""
    if method is not None:
        return _run_checksum(conn, table, method)
    if not table.hashable:
        return _run_checksum(conn, table, "md5sum128")
    try:
        with conn.transaction():
            return _run_checksum(conn, table, "hrx64")
    except (psycopg.errors.UndefinedFunction, psycopg.errors.FeatureNotSupported):
        return _run_checksum(conn, table, "md5sum128")


def matview_rows(conn: psycopg.Connection, items: Sequence[Table]) -> dict[str, dict[str, Any]]:
    """{'rows': n} of every populated materialized view, read in `conn`'s snapshot. A dump
    holds no matview rows (a restore recomputes them); the count lets a restore say when it
    recomputed something else than the backed-up view held."""
    out = {}
    for t in items:
        if t.kind == "m" and t.populated:
            row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(
                sql.Identifier(t.schema, t.relname))).fetchone()
            out[t.name] = {"rows": int(row[0]) if row else 0}
    return out


def checksum_method(checksum: str | None) -> str | None:
    """The method a recorded checksum was made with (a restore must use the same)."""
    method = (checksum or "").split(":", 1)[0]
    return method if method in CHECKSUM_METHODS else None


def checksum_tables(connect: Callable[[], psycopg.Connection], items: Sequence[Table],
                    workers: int = 2, methods: dict[str, str | None] | None = None,
                    first: psycopg.Connection | None = None) -> dict[str, dict[str, Any]]:
    """Checksums of `items` over `workers` connections: `first` (an open one, left open)
    and new ones from `connect` (each already inside the snapshot it must read); the tables
    are shared out biggest first. `methods` pins the method per table (a restore repeats
    what the backup did)."""
    methods = methods or {}
    work: queue.Queue[Table] = queue.Queue()
    for t in items:
        if t.has_rows:
            work.put(t)
    results: dict[str, dict[str, Any]] = {}
    errors: list[BaseException] = []

    def worker(given: psycopg.Connection | None) -> None:
        try:
            conn = given or connect()
            try:
                while True:
                    try:
                        t = work.get_nowait()
                    except queue.Empty:
                        return
                    results[t.name] = checksum_table(conn, t, methods.get(t.name))
            finally:
                if given is None:
                    conn.close()
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    count = max(1, min(workers, work.qsize()))
    threads = [threading.Thread(target=worker, args=(first if i == 0 else None,), daemon=True)
               for i in range(count)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]
    return dict(sorted(results.items()))


# -- security fingerprint and sequences --------------------------------------------------


def fingerprint(conn: psycopg.Connection) -> list[str]:
    """Sorted `kind name: detail` lines of ownership, privileges and row security."""
    return [" ".join(x for x in (r["kind"], r["name"]) if x) + f": {r['detail']}"
            for r in _rows(conn, "fingerprint")]


def fingerprint_sha256(lines: Sequence[str]) -> str:
    """One hash of the fingerprint (the manifest keeps both, the lines name differences)."""
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def fingerprint_diff(expected: Sequence[str], actual: Sequence[str]) -> list[str]:
    """`-` lines missing from `actual`, `+` lines it has in excess."""
    exp, act = set(expected), set(actual)
    return [f"- {x}" for x in sorted(exp - act)] + [f"+ {x}" for x in sorted(act - exp)]


def sequences_behind(conn: psycopg.Connection) -> list[str]:
    """Sequences whose next value is not past their column's max: each one a future
    duplicate-key error. Empty when every sequence is ahead of its table."""
    problems = []
    for r in _rows(conn, "sequences"):
        table = sql.SQL(r["table_name"])  # regclass text: already quoted and qualified
        stmt = sql.SQL("SELECT max({col}), min({col}) FROM {table}").format(
            col=sql.Identifier(r["column_name"]), table=table)
        row = conn.execute(stmt).fetchone()
        top, bottom = (row or (None, None))
        if top is None:
            continue
        called = r["last_value"] is not None
        next_value = r["last_value"] + r["increment"] if called else r["start_value"]
        ascending = r["increment"] > 0
        if (ascending and next_value <= top) or (not ascending and next_value >= bottom):
            edge = top if ascending else bottom
            problems.append(f"{r['sequence']} would hand out {next_value} but "
                            f"{r['table_name']}.{r['column_name']} already holds {edge}")
    return problems

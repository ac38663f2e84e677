"""Reading and writing the migration ledger (`meta.migration_ledger`)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import psycopg

from cutover.migrate.files import version_key

LEDGER_TABLE = "meta.migration_ledger"


@dataclass(frozen=True)
class LedgerRow:
    """A successful application of one file."""

    version: str
    name: str
    sha256: str
    applied_by: str
    applied_at: str
    duration_ms: int


def ledger_exists(conn: psycopg.Connection) -> bool:
    """True once the runner has created the ledger in this database."""
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (LEDGER_TABLE,)).fetchone()
    return bool(row and row[0])


def ensure_ledger(conn: psycopg.Connection) -> None:
    """Create the ledger on first use (only then: creating needs rights later runs lack)."""
    if ledger_exists(conn):
        return
    ddl = resources.files("cutover.migrate").joinpath("ledger.sql").read_text()
    with conn.transaction():
        conn.execute(ddl)


def applied(conn: psycopg.Connection) -> dict[str, LedgerRow]:
    """Successful rows by version; empty when there is no ledger yet."""
    if not ledger_exists(conn):
        return {}
    rows = conn.execute(
        "SELECT version, name, sha256, applied_by, applied_at::text, duration_ms"
        f" FROM {LEDGER_TABLE} WHERE success ORDER BY id"
    ).fetchall()
    return {r[0]: LedgerRow(*r) for r in rows}


def record(conn: psycopg.Connection, *, version: str, name: str, sha256: str,
           duration_ms: int, success: bool, transactional: bool,
           error: str | None = None) -> None:
    """Insert one ledger row on the connection's current transaction."""
    conn.execute(
        f"INSERT INTO {LEDGER_TABLE} (version, name, sha256, duration_ms, success,"
        " transactional, error) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (version, name, sha256, duration_ms, success, transactional, error),
    )


def head(conn: psycopg.Connection) -> str | None:
    """The name of the last successfully applied file (by version order), or None."""
    rows = applied(conn)
    if not rows:
        return None
    last = max(rows, key=version_key)
    return rows[last].name

"""Growing a seeded bench database server-side (generate_series batches, no Python row
loops): audit entries and route stops spread over every tenant (grow_audit.sql,
grow_stops.sql). bench_backup grows to a size, bench_security_gate by a number of rows."""

from __future__ import annotations

from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
BATCH = 200_000  # rows per table per statement
MB = 1024 * 1024


def _statements() -> list[str]:
    return [(HERE / f).read_text() for f in ("grow_audit.sql", "grow_stops.sql")]


def to_size(conn: psycopg.Connection, size_mb: int) -> None:
    """Insert batches until the database has `size_mb` (autocommit connection)."""
    first = 1
    while conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] \
            < size_mb * MB:
        for statement in _statements():
            conn.execute(statement, {"first": first, "last": first + BATCH - 1})
        first += BATCH
    conn.execute("VACUUM (FREEZE, ANALYZE)")


def by_rows(conn: psycopg.Connection, rows: int) -> None:
    """Insert `rows` rows, half audit entries, half route stops (autocommit connection)."""
    first, per_table = 1, (rows + 1) // 2
    while first <= per_table:
        last = min(first + BATCH - 1, per_table)
        for statement in _statements():
            conn.execute(statement, {"first": first, "last": last})
        first = last + 1
    conn.execute("VACUUM (FREEZE, ANALYZE)")


def live_rows(conn: psycopg.Connection) -> int:
    """Exact rows of every ordinary table of the application's schemas."""
    tables = conn.execute(
        "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n"
        " ON n.oid = c.relnamespace WHERE c.relkind = 'r'"
        " AND n.nspname IN ('core', 'roster', 'routing', 'meta') ORDER BY 1").fetchall()
    return sum(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for (t,) in tables)

"""The ACL scan report (runbook §3.5): every privilege PUBLIC holds, on every object kind.

The runbook's query looks at tables only; PUBLIC privileges on sequences, functions,
types, schemas, the database and default privileges are as dangerous, so the scan lists
them all. An empty `findings` list is the pass condition.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

import psycopg


def scan(conn: psycopg.Connection) -> dict:
    """The report document for the connected database (read-only)."""
    sql = resources.files("cutover.gate").joinpath("aclscan.sql").read_text()
    rows = conn.execute(sql).fetchall()  # type: ignore[arg-type]  # repository SQL
    database = conn.execute("SELECT current_database()").fetchone()[0]
    return {
        "generated_at": datetime.now(UTC).isoformat(),
        "database": database,
        "query": sql,
        "findings": [{"kind": k, "object": o, "privileges": p} for k, o, p in rows],
    }

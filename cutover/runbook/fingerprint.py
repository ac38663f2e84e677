"""The schema fingerprint the soak compares across iterations (same build, same schema)."""

from __future__ import annotations

from importlib import resources

from cutover.pg.connect import connect


def schema_fingerprint(url: str) -> dict:
    """md5 over the schema's names, definitions and ACLs, with the number of items."""
    sql = resources.files("cutover.runbook").joinpath("fingerprint.sql").read_text()
    with connect(url, options="-c search_path=pg_catalog,pg_temp") as conn:
        fingerprint, items = conn.execute(sql).fetchone()  # type: ignore[arg-type,misc]
    return {"fingerprint": fingerprint, "items": items}

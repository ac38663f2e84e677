"""The benches' machine-readable figures (issue 17.5): one record per measured median, so a
run's figures can be compared with the last one's.

A record is {name, value, unit, baseline, ratio, pg_version, cpu_count}: the name says what
and at which scale ("backup ours/bare 1GB"), the baseline is what the value is judged
against (the bare tool's median, or the target), ratio = value / baseline (null without a
baseline). The same shape as bench/bench_roster.py writes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import psycopg


def record(name: str, value: float, unit: str, baseline: float | None = None,
           pg_version: str | None = None) -> dict[str, object]:
    """One figure; ratio is value / baseline, rounded like the value."""
    return {"name": name, "value": round(value, 3), "unit": unit,
            "baseline": round(baseline, 3) if baseline is not None else None,
            "ratio": round(value / baseline, 3) if baseline else None,
            "pg_version": pg_version, "cpu_count": os.cpu_count()}


def server_version(url: str) -> str:
    """The server's version as `SHOW server_version` says it (e.g. "17.2")."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]).split()[0] if row else "?"


def write(path: str | Path | None, records: list[dict[str, object]]) -> None:
    """Write the records as a JSON list (nothing without a path)."""
    if path:
        Path(path).write_text(json.dumps(records, indent=2) + "\n")

"""Writing small migration directories for runner tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg


def write(directory: Path, files: dict[str, str]) -> Path:
    """Write `files` (name → SQL) into `directory` and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


def cli(*args: str, env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the `cutover` console entry point in a subprocess."""
    return subprocess.run([sys.executable, "-m", "cutover.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, check=False)


def tables(url: str) -> set[str]:
    """Qualified names of the user tables in a database."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT schemaname || '.' || tablename FROM pg_tables"
            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    return {r[0] for r in rows}


def ledger_rows(url: str) -> list[tuple]:
    """(version, success) of every ledger row, in order."""
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('meta.migration_ledger')").fetchone()[0] is None:
            return []
        return conn.execute(
            "SELECT version, success FROM meta.migration_ledger ORDER BY id").fetchall()

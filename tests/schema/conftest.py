"""The schema tests' view of the session cluster, and the baseline applied with psql.

The cluster and the six roles come from tests/conftest.py. Here the baseline 001..024 is
applied exactly as the runner contract says, with the wheel's own psql: one ``psql -X -v
ON_ERROR_STOP=1 --single-transaction -f FILE`` per file, connected as ``solvereign_migrator``,
so the files are proven against psql and not only against our runner. Other tests get
copies of the migrated database (CREATE DATABASE ... TEMPLATE).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
import pytest
from psycopg import sql

from cutover.pg.embedded import bin_path

REPO = Path(__file__).resolve().parents[2]
MIGRATIONS = REPO / "migrations"
MIGRATED_DB = f"solvereign_schema_migrated_{os.getpid()}"


@dataclass
class MigrationResult:
    """Outcome of applying one migration file with psql."""

    name: str
    returncode: int
    seconds: float
    output: str


@dataclass
class PgCluster:
    """The session's cluster seen from the schema tests: where it listens, role passwords."""

    port: int
    bin_dir: Path
    passwords: dict[str, str] = field(repr=False)

    def conninfo(self, role: str = "postgres", dbname: str = "postgres") -> str:
        """A libpq conninfo string for one role (password included; never printed)."""
        return psycopg.conninfo.make_conninfo(
            host="127.0.0.1", port=self.port, user=role, dbname=dbname,
            password=self.passwords[role], connect_timeout=10)

    def connect(self, role: str = "postgres", dbname: str = "postgres",
                autocommit: bool = True) -> psycopg.Connection:
        """A new connection as ``role``."""
        return psycopg.connect(self.conninfo(role, dbname), autocommit=autocommit)

    def psql_file(self, path: Path, role: str, dbname: str) -> MigrationResult:
        """Apply one file the way the migration runner contract specifies."""
        env = {**os.environ, "PGPASSWORD": self.passwords[role], "PGCONNECT_TIMEOUT": "10"}
        cmd = [str(self.bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
               "--single-transaction", "-h", "127.0.0.1", "-p", str(self.port), "-U", role,
               "-d", dbname, "-f", str(path)]
        started = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60,
                              check=False)
        return MigrationResult(path.name, proc.returncode, time.perf_counter() - started,
                               proc.stdout + proc.stderr)

    def create_database(self, name: str, template: str | None = None) -> str:
        """CREATE DATABASE owned by solvereign_owner (optionally a copy of ``template``)."""
        with self.connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))
            stmt = sql.SQL("CREATE DATABASE {} OWNER solvereign_owner").format(sql.Identifier(name))
            if template:
                stmt = sql.SQL("{} TEMPLATE {}").format(stmt, sql.Identifier(template))
            conn.execute(stmt)
        return name


def migration_files() -> list[Path]:
    """The baseline files 001..024, in order (the hardening series is tested elsewhere)."""
    return sorted(p for p in MIGRATIONS.glob("[0-9][0-9][0-9]*.sql")
                  if int(p.name[:3]) <= 24 and not p.name.endswith(".verify.sql"))


@pytest.fixture(scope="session")
def schema_cluster(admin_url: str, platform_roles: dict[str, str]) -> PgCluster:
    """The session cluster (tests/conftest.py) with the bootstrapped roles' passwords."""
    parts = urlsplit(admin_url)
    return PgCluster(port=parts.port or 5432, bin_dir=bin_path(),
                     passwords={"postgres": unquote(parts.password or ""), **platform_roles})


@pytest.fixture(scope="session")
def migration_results(schema_cluster: PgCluster) -> list[MigrationResult]:
    """Apply 001..024 to a fresh database as solvereign_migrator; stop at the first failure."""
    schema_cluster.create_database(MIGRATED_DB)
    results = []
    for path in migration_files():
        result = schema_cluster.psql_file(path, "solvereign_migrator", MIGRATED_DB)
        results.append(result)
        if result.returncode != 0:
            break
    return results


@pytest.fixture(scope="session")
def migrated_db(schema_cluster: PgCluster, migration_results: list[MigrationResult]) -> str:
    """Name of the database at the pre-cutover state (fails when a migration failed)."""
    failed = [r for r in migration_results if r.returncode != 0]
    if failed:
        pytest.fail(f"migration {failed[0].name} failed:\n{failed[0].output}")
    return MIGRATED_DB


@pytest.fixture
def fresh_db(schema_cluster: PgCluster, migrated_db: str, request: pytest.FixtureRequest) -> str:
    """A private copy of the migrated database for one test."""
    name = "t_" + request.node.name.lower().replace("[", "_").replace("]", "")[:50]
    name = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)
    return schema_cluster.create_database(name, template=migrated_db)


@pytest.fixture(scope="session")
def seed_secret() -> bytes:
    """The HMAC secret the seed tests use (random per session)."""
    return secrets.token_bytes(32)

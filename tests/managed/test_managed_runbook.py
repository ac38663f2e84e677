"""The runbook on the managed profile (issue 16.1): a target where nobody is superuser.

`cutover sandbox up --profile managed` models Azure Database for PostgreSQL Flexible Server:
the admin login is the migrator (CREATEDB CREATEROLE, NOSUPERUSER NOBYPASSRLS, owner of the
database, pg_read_all_settings/pg_read_all_stats/pg_signal_backend). Every command below runs
as a subprocess whose environment is checked first: no URL in it names a superuser role.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
import pytest

from cutover.evidence import bundle, keys
from cutover.migrate import ledger

REPO = Path(__file__).resolve().parents[2]
MANAGED_ADMIN = "solvereign_migrator"


def _sandbox_env(root: Path) -> dict[str, str]:
    """`cutover sandbox up --profile managed --with-api`, the way a user runs it; its exports
    over an environment with no SOLVEREIGN_* or libpq settings of the caller's."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SOLVEREIGN_", "PG", "DATABASE_URL"))}
    proc = subprocess.run([sys.executable, "-m", "cutover.cli", "sandbox", "up", "--profile",
                           "managed", "--with-api", "--data-dir", str(root)],
                          capture_output=True, text=True, env=base, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    exports = {}
    for line in proc.stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        exports[name] = shlex.split(value)[0] if value else ""
    return {**base, **exports}


def _urls(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if v.startswith(("postgresql://", "postgres://"))}


def _superusers(env: dict[str, str]) -> set[str]:
    with psycopg.connect(env["SOLVEREIGN_DB_URL"]) as conn:
        return {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolsuper")}


def _assert_no_superuser_url(env: dict[str, str], superusers: set[str]) -> None:
    """Every database URL in the environment names a role that is not superuser."""
    for name, url in _urls(env).items():
        user = unquote(urlsplit(url).username or "")
        assert user and user not in superusers, f"{name} connects as superuser {user}"


@pytest.fixture(scope="module")
def managed():
    # not under pytest's tmp root: pytest keeps that 0700, and the server may run as
    # pgserver's own user, which must reach its data directory
    root = Path(tempfile.mkdtemp(prefix="solvereign-managed-")) / "sandbox"
    env = _sandbox_env(root)
    yield env
    subprocess.run([sys.executable, "-m", "cutover.cli", "sandbox", "down", "--data-dir",
                    str(root)], capture_output=True, env=env, timeout=120, check=False)
    shutil.rmtree(root.parent, ignore_errors=True)


def test_the_managed_admin_is_not_superuser_and_nothing_superuser_is_exported(managed):
    """The role model of README.md, and no superuser URL among the exports."""
    superusers = _superusers(managed)
    _assert_no_superuser_url(managed, superusers)
    assert "SOLVEREIGN_ADMIN_DB_URL" in managed  # CREATE DATABASE: the managed admin
    assert unquote(urlsplit(managed["SOLVEREIGN_ADMIN_DB_URL"]).username) == MANAGED_ADMIN
    with psycopg.connect(managed["SOLVEREIGN_DB_URL"]) as conn:
        attrs = conn.execute(
            "SELECT rolsuper, rolbypassrls, rolcreatedb, rolcreaterole FROM pg_roles"
            " WHERE rolname = current_user").fetchone()
        owner = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database"
                             " WHERE datname = current_database()").fetchone()[0]
        predefined = [r[0] for r in conn.execute(
            "SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid"
            " WHERE m.member = 'solvereign_migrator'::regrole AND b.rolname LIKE 'pg\\_%'"
            " ORDER BY 1")]
    assert attrs == (False, False, True, True)
    assert owner == MANAGED_ADMIN
    assert predefined == ["pg_read_all_settings", "pg_read_all_stats", "pg_signal_backend"]


@pytest.mark.slow
def test_the_runbook_runs_with_only_managed_urls(managed, tmp_path):
    """preflight, freeze, backup, prod_cutover.sh, security gate, drills, approve, enable,
    a backup of the hardened schema, rollback (restore, rename swap, post-rollback gate):
    each exits 0 with no superuser URL in its environment."""
    superusers = _superusers(managed)
    env = {**managed, "SOLVEREIGN_LKG_FILE": str(tmp_path / "lkg.json")}
    db, api = env["SOLVEREIGN_DB_URL"], env["SOLVEREIGN_API_URL"]
    artifacts = tmp_path / "a"

    def run(*cmd: str) -> subprocess.CompletedProcess:
        _assert_no_superuser_url(env, superusers)
        proc = subprocess.run(list(cmd), cwd=tmp_path, capture_output=True, text=True,
                              env=env, timeout=600, check=False)
        assert proc.returncode == 0, f"{cmd[:3]}: {proc.stdout[-3000:]}{proc.stderr[-3000:]}"
        return proc

    def cli(*args: str) -> subprocess.CompletedProcess:
        return run(sys.executable, "-m", "cutover.cli", *args)

    run(sys.executable, str(REPO / "scripts" / "prod_preflight_check.py"), "--db-url", db,
        "--env", "development", "--artifacts-dir", str(artifacts), "--api-url", api)
    cli("freeze", "--api-url", api, "--artifacts-dir", str(artifacts))
    backup = cli("backup", "--out", str(tmp_path / "backups"), "--artifacts-dir",
                 str(artifacts))
    assert "restore check: restored into" in backup.stdout + backup.stderr
    cut = run(str(REPO / "scripts" / "prod_cutover.sh"), "--db-url", db, "--rc-tag",
              "v1.0.0-rc1", "--artifacts-dir", str(artifacts), "--api-url", api)
    assert cut.stdout.rstrip().endswith("SUCCESS")
    gate = run(str(REPO / "scripts" / "ci" / "security_gate.sh"), "--db-url", db)
    assert "GATE STATUS: PASS" in gate.stdout
    run(str(REPO / "scripts" / "ci" / "wien_roster_gate.sh"), "--skip-routing", "--dry-run",
        "--db-url", db, "--artifacts-dir", str(artifacts))
    run(sys.executable, str(REPO / "scripts" / "run_sick_call_drill.py"), "--dry-run",
        "--seed", "94", "--absent-drivers", "DRV001,DRV002,DRV003", "--tenant", "wien_pilot",
        "--db-url", db, "--artifacts-dir", str(artifacts))
    cli("approve", "--artifacts-dir", str(artifacts), "--approver", "Jane Doe")
    assert "WRITES ENABLED" in cli("enable", "--artifacts-dir", str(artifacts), "--api-url",
                                   api).stdout
    assert bundle.verify(artifacts, keys.verifying_key(env=env)).ok
    # a dump of the hardened schema restores as the managed admin too (definer-owned
    # functions in core: cutover.rollback.owners), proven by the backup's restore check
    latest = cli("backup", "--out", str(tmp_path / "backups-latest"))
    assert "restore check: restored into" in latest.stdout + latest.stderr

    dump = sorted((tmp_path / "backups").glob("*.dump"))[-1]
    rolled = cli("rollback", "--db-url", db, "--backup", str(dump))
    out = rolled.stdout + rolled.stderr
    assert "post-rollback gate: PASS" in out and "is the restored database" in out
    with psycopg.connect(db) as conn:
        assert ledger.head(conn) == "024_table_classification"  # pre-cutover again
    secrets = [urlsplit(u).password for u in _urls(env).values()]
    for path in artifacts.iterdir():
        if path.is_file():
            text = path.read_text(errors="replace")
            assert not any(s and s in text for s in secrets), path.name

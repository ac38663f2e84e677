"""Migrations 001..024: file contract, clean application, ownership, table classification."""

from __future__ import annotations

import re

import psycopg
import pytest

from .conftest import MigrationResult, PgCluster, migration_files

NAME = re.compile(r"^(\d{3})_[a-z0-9]+(?:_[a-z0-9]+)*\.sql$")

#: tenant-scoped tables (NOT NULL tenant_id, row-level security expected after hardening)
TENANT_TABLES = {
    "core.sites", "core.api_keys", "core.audit_log", "core.audit_log_2025",
    "core.audit_log_2026", "core.audit_log_default", "core.request_nonces",
    "roster.drivers", "roster.shifts", "roster.absences", "roster.unavailability",
    "roster.duty_history", "roster.plans", "roster.assignments",
    "routing.vehicles", "routing.routes", "routing.route_stops",
}
#: global on purpose (reasons in 024_table_classification.sql)
GLOBAL_TABLES = {"core.tenants", "core.users", "core.security_events"}
FORBIDDEN = {
    "transaction control": re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|START\s+TRANSACTION)\b",
                                      re.I | re.M),
    "psql meta-command": re.compile(r"^\s*\\", re.M),
    "CONCURRENTLY": re.compile(r"\bCONCURRENTLY\b", re.I),
    "CREATE DATABASE": re.compile(r"\bCREATE\s+DATABASE\b", re.I),
    "password": re.compile(r"\bPASSWORD\b", re.I),
    "meta schema": re.compile(r"\bmeta\.", re.I),
}


def _code(path) -> str:
    """The file without its comments."""
    return re.sub(r"--[^\n]*", "", path.read_text())


def _outside_bodies(code: str) -> str:
    """The SQL outside dollar-quoted bodies (a PL/pgSQL BEGIN is not transaction control)."""
    return re.sub(r"\$(\w*)\$.*?\$\1\$", "$$", code, flags=re.S)


def test_exactly_24_baseline_files() -> None:
    names = [p.name for p in migration_files()]
    assert len(names) == 24, names
    numbers = []
    for name in names:
        match = NAME.match(name)
        assert match, f"bad migration file name {name}"
        numbers.append(int(match.group(1)))
    assert numbers == list(range(1, 25))


@pytest.mark.parametrize("path", migration_files(), ids=lambda p: p.name[:3])
def test_file_contract(path) -> None:
    text = path.read_text()
    assert text.startswith(f"-- {path.name} — "), "header must name the file and say what it does"
    code = _code(path)
    for what, pattern in FORBIDDEN.items():
        assert not pattern.search(_outside_bodies(code)), f"{path.name}: {what}"
        assert what == "transaction control" or not pattern.search(code), f"{path.name}: {what}"
    first_statement = code.strip().splitlines()[0]
    if path.name.startswith("001_"):
        assert "SET LOCAL ROLE" not in code
    else:
        assert first_statement == "SET LOCAL ROLE solvereign_owner;", path.name


def test_all_files_apply_in_order(migration_results: list[MigrationResult]) -> None:
    failed = [r for r in migration_results if r.returncode != 0]
    assert not failed, f"{failed[0].name}:\n{failed[0].output}"
    assert [r.name for r in migration_results] == [p.name for p in migration_files()]


def test_roles_file_is_idempotent(schema_cluster: PgCluster, migrated_db: str) -> None:
    """001 re-run as the migrator (no CREATEROLE) does nothing and succeeds."""
    result = schema_cluster.psql_file(migration_files()[0], "solvereign_migrator", migrated_db)
    assert result.returncode == 0, result.output
    with schema_cluster.connect() as conn:
        rows = conn.execute(
            "SELECT rolname, rolcanlogin, rolbypassrls, rolsuper OR rolcreaterole OR rolcreatedb"
            " FROM pg_roles WHERE rolname LIKE 'solvereign%' ORDER BY rolname").fetchall()
    assert rows == [
        ("solvereign_api", True, False, False),
        ("solvereign_backup", True, True, False),
        ("solvereign_definer", False, False, False),
        ("solvereign_migrator", True, False, False),
        ("solvereign_owner", False, False, False),
        ("solvereign_platform", True, False, False),
        ("solvereign_reporting", False, False, False),  # bootstrap, for 025g
    ]


def test_everything_owned_by_owner(schema_cluster: PgCluster, migrated_db: str) -> None:
    with schema_cluster.connect(dbname=migrated_db) as conn:
        owners = conn.execute("""
            SELECT 'schema ' || nspname, pg_get_userbyid(nspowner) FROM pg_namespace
             WHERE nspname IN ('core', 'roster', 'routing')
            UNION ALL
            SELECT c.oid::regclass::text, pg_get_userbyid(c.relowner)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname IN ('core', 'roster', 'routing')
            UNION ALL
            SELECT p.oid::regprocedure::text, pg_get_userbyid(p.proowner)
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname IN ('core', 'roster', 'routing')
            ORDER BY 1""").fetchall()
        schemas = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname = 'meta'").fetchall()
    assert len(owners) > 40
    assert [row for row in owners if row[1] != "solvereign_owner"] == []
    assert schemas == [], "the migration ledger schema belongs to the runner"


def test_table_classification(schema_cluster: PgCluster, migrated_db: str) -> None:
    """Every table is TENANT (NOT NULL tenant_id referencing core.tenants) or GLOBAL."""
    with schema_cluster.connect(dbname=migrated_db) as conn:
        rows = conn.execute("""
            SELECT c.oid::regclass::text,
                   split_part(obj_description(c.oid, 'pg_class'), ':', 1),
                   coalesce((SELECT a.attnotnull FROM pg_attribute a
                              WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
                                AND NOT a.attisdropped), false)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname IN ('core', 'roster', 'routing') AND c.relkind IN ('r', 'p')
             ORDER BY 1""").fetchall()
        fk_missing = conn.execute("""
            SELECT c.oid::regclass::text
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname IN ('core', 'roster', 'routing') AND c.relkind IN ('r', 'p')
               AND obj_description(c.oid, 'pg_class') LIKE 'TENANT:%'
               AND NOT EXISTS (
                   SELECT 1 FROM pg_constraint k
                    WHERE k.conrelid = c.oid AND k.contype = 'f'
                      AND k.confrelid = 'core.tenants'::regclass)
             ORDER BY 1""").fetchall()
    tenant = {name for name, kind, _ in rows if kind == "TENANT"}
    global_ = {name for name, kind, _ in rows if kind == "GLOBAL"}
    assert tenant == TENANT_TABLES
    assert global_ == GLOBAL_TABLES
    assert [name for name, kind, not_null in rows if kind == "TENANT" and not not_null] == []
    assert fk_missing == []


def test_tenant_policy_isolates(schema_cluster: PgCluster, migrated_db: str) -> None:
    """Sanity of a correctly configured table: the api role sees only its tenant, and
    nothing with the setting unset or reset."""
    with schema_cluster.connect(dbname=migrated_db, autocommit=False) as conn:
        conn.execute("INSERT INTO core.tenants (id, name) VALUES ('ta', 'A'), ('tb', 'B')")
        for tenant in ("ta", "tb"):
            conn.execute("SELECT set_config('app.tenant_id', %s, true)", (tenant,))
            conn.execute("INSERT INTO core.sites (tenant_id, code, name) VALUES (%s, 'X10', 'x')",
                         (tenant,))
        conn.execute("SET LOCAL ROLE solvereign_api")
        conn.execute("SELECT set_config('app.tenant_id', 'ta', true)")
        seen_a = conn.execute("SELECT tenant_id FROM core.sites").fetchall()
        with pytest.raises(psycopg.Error, match="row-level security"), conn.transaction():
            conn.execute("INSERT INTO core.sites (tenant_id, code, name) VALUES ('tb', 'X20', 'x')")
        conn.execute("SELECT set_config('app.tenant_id', '', true)")
        seen_empty = conn.execute("SELECT count(*) FROM core.sites").fetchone()
        conn.rollback()
    with schema_cluster.connect(dbname=migrated_db, autocommit=False) as conn:
        conn.execute("SET LOCAL ROLE solvereign_api")
        seen_unset = conn.execute("SELECT count(*) FROM roster.drivers").fetchone()
        conn.rollback()
    assert seen_a == [("ta",)]
    assert seen_empty == (0,)
    assert seen_unset == (0,)

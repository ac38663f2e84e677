"""Shared helpers of the hardening tests: the series' files, the verifier's rows, catalog
snapshots and the real psql binary of the embedded server."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import psycopg

from cutover.migrate.sqlsplit import split_statements
from cutover.pg.embedded import bin_path

REPO = Path(__file__).resolve().parents[2]
MIGRATIONS = REPO / "migrations"
HARDENING = ("025", "025a", "025b", "025c", "025d", "025e", "025f", "025g", "025h")
PILOT, OTHER, SUSPENDED = "wien_pilot", "graz_test", "salzburg_legacy"
VERBATIM = "SELECT * FROM verify_final_hardening();"

#: the rows of verify_final_hardening() as 025e defined it, in its order (ORDER BY check_name)
CHECK_NAMES_025E = sorted([
    "api_no_truncate_references_trigger", "api_sequences_no_update",
    "app_roles_least_attributes", "app_roles_not_members_of_owners", "app_roles_own_nothing",
    "bypassrls_only_backup", "column_grants_audited", "default_privileges_no_public",
    "definer_functions_execute_allowlist", "definer_functions_owned_by_definer",
    "definer_functions_schema_safe", "definer_functions_search_path", "no_grant_options",
    "no_leakproof_functions", "no_matview_or_foreign_table_for_api",
    "no_permissive_bypass_policies", "no_policies_to_public", "no_public_database_temp",
    "no_public_function_privileges", "no_public_schema_privileges",
    "no_public_sequence_privileges", "no_public_table_privileges", "no_row_security_override",
    "rls_enabled_and_forced", "tables_classified", "tenant_id_not_null",
    "tenant_keys_include_tenant_id", "tenant_policies_bound", "views_security_invoker",
])

#: every row of verify_final_hardening() as the newest migration (025h) defines it: 025e's
#: rows, judged over every application schema and by effective membership, and the new ones
CHECK_NAMES = sorted([
    *CHECK_NAMES_025E, "no_event_triggers", "no_parameter_privileges", "no_preset_settings",
    "no_rules_on_tables", "runtime_roles_no_memberships", "schemas_reviewed",
    "tenant_triggers_invoker",
])

#: the rows 025f turns from FAIL to PASS (PUBLIC grants, default privileges, and what PUBLIC
#: grants made reachable: definer EXECUTE for everyone, a matview readable by every role)
ACL_CHECKS = {
    "default_privileges_no_public", "definer_functions_execute_allowlist",
    "no_matview_or_foreign_table_for_api", "no_public_database_temp",
    "no_public_function_privileges", "no_public_schema_privileges",
    "no_public_sequence_privileges", "no_public_table_privileges",
}


def hardening_file(version: str) -> Path:
    """The one file of the hardening series with this version (025, 025a, ...)."""
    (path,) = [p for p in MIGRATIONS.glob(f"{version}_*.sql")
               if not p.name.endswith(".verify.sql")]
    return path


def header(version: str) -> str:
    """The leading comment block of a hardening file."""
    lines = []
    for line in hardening_file(version).read_text().splitlines():
        if not line.startswith("--"):
            break
        lines.append(line)
    return "\n".join(lines)


def verify_rows(conn: psycopg.Connection) -> dict[str, tuple[str, str]]:
    """check_name -> (status, details) of verify_final_hardening(), as the runbook calls it."""
    rows = conn.execute(VERBATIM).fetchall()
    return {name: (status, details) for name, status, details in rows}


def failing(rows: dict[str, tuple[str, str]]) -> dict[str, str]:
    """check_name -> details of the rows that are not PASS."""
    return {name: details for name, (status, details) in rows.items() if status != "PASS"}


def apply_by_hand(url: str, path: Path) -> None:
    """Run one migration file as its text says, statement by statement in one transaction
    (what psql --single-transaction does), outside the runner and its ledger."""
    with psycopg.connect(url) as conn, conn.transaction():
        for stmt in split_statements(path.read_text()):
            conn.execute(stmt.text)  # type: ignore[arg-type]  # trusted migration SQL


def psql(url: str, *args: str) -> subprocess.CompletedProcess:
    """The real psql binary of the embedded PostgreSQL, connected with `url`."""
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    env.pop("PGPASSWORD", None)
    return subprocess.run([str(bin_path() / "psql"), url, *args], env=env, capture_output=True,
                          text=True, timeout=60, check=False)


_ACL = ("coalesce((SELECT string_agg(e, ',' ORDER BY e) FROM (SELECT format('%s>%s:%s%s', "
        "a.grantor::regrole, CASE WHEN a.grantee = 0 THEN 'PUBLIC' "
        "ELSE a.grantee::regrole::text END, a.privilege_type, "
        "CASE WHEN a.is_grantable THEN '*' ELSE '' END) AS e FROM aclexplode({}) a) s), "
        "'default')")


def snapshot(admin_url: str) -> list[str]:
    """The catalog state the hardening series is about, read as the superuser."""
    text = (Path(__file__).with_name("catalog_snapshot.sql")).read_text()
    query = re.sub(r"ACL\(([a-z.]+)\)", lambda m: _ACL.format(m.group(1)), text)
    with psycopg.connect(admin_url) as conn:
        conn.execute("SET search_path = pg_catalog")
        return [row[0] for row in conn.execute(query).fetchall()]  # type: ignore[arg-type]


def changes(before: list[str], after: list[str]) -> list[str]:
    """The rows that differ, marked - (gone) or + (new), at most a dozen."""
    gone = [f"- {r}" for r in before if r not in set(after)]
    new = [f"+ {r}" for r in after if r not in set(before)]
    return (gone + new)[:12]

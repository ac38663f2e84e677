"""verify_final_hardening(): its rows, its ACL rows before and after 025f, its own safety
and the runbook's verbatim psql call."""

from __future__ import annotations

import re
import tomllib

import psycopg

from checks.p3_postmigration.verify_map import CROSS_CHECKS
from cutover.migrate.runner import RunnerOptions, migrate

from .helpers import (
    ACL_CHECKS,
    CHECK_NAMES,
    CHECK_NAMES_025E,
    MIGRATIONS,
    REPO,
    VERBATIM,
    failing,
    hardening_file,
    psql,
    verify_rows,
)


def test_acl_rows_fail_after_025e_and_everything_passes_after_025f(make_platform) -> None:
    """Between 025e and 025f exactly the ACL rows FAIL, naming what PUBLIC still holds."""
    db = make_platform("pre")
    url = db.url("solvereign_migrator")
    migrate(url, MIGRATIONS, RunnerOptions(target="025e"))
    with psycopg.connect(url) as conn:
        rows = verify_rows(conn)
    assert sorted(rows) == CHECK_NAMES_025E
    bad = failing(rows)
    assert set(bad) == ACL_CHECKS, sorted(bad)
    named = {
        "no_public_table_privileges": ["core.sites", "routing.vehicles", "routing.routes",
                                       "routing.route_stops", "routing.mv_route_daily"],
        "no_public_sequence_privileges": ["core.security_events_id_seq"],
        "no_public_function_privileges": ["core.resolve_api_key(text)",
                                          "core.log_security_event(text,text,text,jsonb)",
                                          "roster.tenant_week_summary(date)",
                                          "public.verify_final_hardening()"],
        "no_public_schema_privileges": ["public (PUBLIC has CREATE, USAGE)"],
        "no_public_database_temp": [f"{db.dbname} (PUBLIC has TEMPORARY)"],
        "default_privileges_no_public": ["solvereign_owner tables in routing",
                                         "solvereign_owner functions",
                                         "solvereign_definer functions"],
        "definer_functions_execute_allowlist": ["core.resolve_api_key(text)"],
        "no_matview_or_foreign_table_for_api": ["routing.mv_route_daily"],
    }
    for check, objects in named.items():
        for obj in objects:
            assert obj in bad[check], (check, obj, bad[check])
    migrate(url, MIGRATIONS, RunnerOptions())
    with psycopg.connect(url) as conn:
        rows = verify_rows(conn)
    assert sorted(rows) == CHECK_NAMES
    assert all(row == ("PASS", "ok") for row in rows.values()), failing(rows)


def test_every_row_is_cross_checked_by_the_gate() -> None:
    """PM-070 re-derives every row independently: the function keeps each row the gate
    knows, and has no row the gate could not contradict."""
    assert set(CROSS_CHECKS) == set(CHECK_NAMES)


def test_verbatim_psql_call_as_the_runbook_makes_it(make_platform) -> None:
    """`psql $SOLVEREIGN_DB_URL -c 'SELECT * FROM verify_final_hardening();'` resolves the
    function through the default search_path and prints one PASS row per check."""
    db = make_platform("latest")
    proc = psql(db.url("solvereign_migrator"), "-X", "-v", "ON_ERROR_STOP=1", "-A", "-t",
                "-F", "|", "-c", VERBATIM)
    assert proc.returncode == 0, proc.stderr
    assert [line.split("|")[:2] for line in proc.stdout.splitlines()] == [
        [n, "PASS"] for n in CHECK_NAMES]
    proc = psql(db.url("solvereign_migrator"), "-X", "-c", VERBATIM)  # what an operator sees
    assert proc.returncode == 0 and f"({len(CHECK_NAMES)} rows)" in proc.stdout, proc.stderr


def test_platform_and_backup_may_call_it_the_api_may_not(make_platform) -> None:
    db = make_platform("latest")
    for role in ("solvereign_platform", "solvereign_backup"):
        proc = psql(db.url(role), "-X", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-c", VERBATIM)
        assert proc.returncode == 0, (role, proc.stderr)
        assert proc.stdout.count("|PASS|") == len(CHECK_NAMES), role
    proc = psql(db.url("solvereign_api"), "-X", "-v", "ON_ERROR_STOP=1", "-c", VERBATIM)
    assert proc.returncode != 0
    assert "permission denied" in proc.stderr or "does not exist" in proc.stderr


def test_the_function_itself_is_safe(make_platform) -> None:
    """SECURITY INVOKER, fixed search_path with pg_temp last, owned by the owner role, no
    EXECUTE for PUBLIC or the api role, only catalog reads (STABLE)."""
    db = make_platform("latest")
    with psycopg.connect(db.url("postgres")) as conn:
        rows = conn.execute(
            "SELECT p.prosecdef, p.proconfig, pg_get_userbyid(p.proowner), p.provolatile,"
            "       n.nspname, array(SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC'"
            "                                   ELSE pg_get_userbyid(a.grantee) END"
            "                          FROM aclexplode(p.proacl) a ORDER BY 1)"
            "  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE p.proname = 'verify_final_hardening'").fetchall()
    assert rows == [(False, ["search_path=pg_catalog, pg_temp"], "solvereign_owner", "s",
                     "public", ["solvereign_backup", "solvereign_migrator", "solvereign_owner",
                                "solvereign_platform"])]


def test_a_search_path_trap_does_not_fool_it(make_platform) -> None:
    """A caller's temporary relation named like a catalog it reads cannot shadow it
    (pg_catalog first, pg_temp last), so the rows stay honest."""
    db = make_platform("latest")
    with psycopg.connect(db.url("postgres")) as conn:
        conn.execute("CREATE TEMP TABLE pg_roles (rolname name)")
        conn.execute("SET LOCAL search_path = pg_temp, public")
        conn.execute("GRANT TRUNCATE ON roster.shifts TO solvereign_api")
        bad = failing(verify_rows(conn))
        conn.rollback()
    assert list(bad) == ["api_no_truncate_references_trigger"]
    assert "roster.shifts" in bad["api_no_truncate_references_trigger"]


def _written_list(cte: str) -> set[str]:
    """The names a reviewed list of the newest verifier (025h) holds, read from its text: the
    database cannot read the repository, so the function carries copies of the lists."""
    text = hardening_file("025h").read_text()
    match = re.search(rf"\b{cte}\(name\) AS \((.*?)\n\)", text, re.S)
    assert match, f"025h has no list {cte}"
    return set(re.findall(r"\('([^']*)'\)", match.group(1)))


def _toml(name: str) -> dict:
    return tomllib.loads((REPO / "checks" / "allowlist" / f"{name}.toml").read_text())


def test_the_verifiers_reviewed_lists_equal_the_repositorys() -> None:
    """A list changed in checks/allowlist/ without a migration that rewrites the function (or
    the other way round) would make the function and the gate disagree (PM-070)."""
    runtime = _toml("runtime_privileges")
    assert _written_list("reviewed_globals") == set(_toml("global_tables"))
    assert _written_list("reviewed_schemas") == set(_toml("schemas"))
    assert _written_list("reviewed_event_triggers") == set(_toml("event_triggers"))
    assert _written_list("harmless_settings") == {
        k.lower() for k in runtime.get("harmless_settings", {})}
    # the function holds the runtime roles to no membership at all: docs/database.md names none
    assert runtime.get("membership", []) == []


def test_pm071_holds_the_function_to_the_newest_file_that_defines_it(tmp_path, monkeypatch):
    """PM-071 reads the body from the last file of the series (runner order) that creates or
    replaces the function: 025h today, a later file once one redefines it, 025e without 025h;
    a file that only mentions the function does not count."""
    import shutil

    from checks.p3_postmigration.test_pm071_verify_function_reviewed import (
        reviewed_definition,
    )

    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    monkeypatch.setenv("SOLVEREIGN_MIGRATIONS_DIR", str(folder))
    assert reviewed_definition().path.name == "025h_verify_effective_access.sql"
    (folder / "026_grant_report.sql").write_text(
        "GRANT EXECUTE ON FUNCTION public.verify_final_hardening() TO solvereign_backup;\n")
    assert reviewed_definition().version == "025h"
    (folder / "027_verify_v3.sql").write_text(
        "create or replace function public.verify_final_hardening()\n"
        "RETURNS TABLE (check_name text, status text, details text) LANGUAGE sql\n"
        "AS $fn$ SELECT 'x', 'PASS', 'ok' $fn$;\n")
    assert reviewed_definition().version == "027"
    (folder / "027_verify_v3.sql").unlink()
    (folder / "025h_verify_effective_access.sql").unlink()
    assert reviewed_definition().version == "025e"

"""PM-081 runs in production (PM-080 does not), reads only, and refuses bad settings clearly."""

from __future__ import annotations

import psycopg

from tests.platform import run_gate, statuses

PM080 = "checks/p3_postmigration/test_pm080_cross_tenant_probes.py"
PM081 = "checks/p3_postmigration/test_pm081_readonly_probes.py"
LEAK = "CREATE POLICY leak ON roster.drivers FOR SELECT TO solvereign_api USING (true)"


def _checks(result: dict) -> dict[str, dict]:
    return {c["check_id"]: c for c in result.get("checks", [])}


def test_production_runs_the_read_only_probes_on_a_clean_database(make_platform):
    db = make_platform("latest")
    proc, result = run_gate(db, PM080, PM081, marker="postmigration",
                            extra=("--env", "production"))
    got = statuses(result)
    assert got["PM-081"] == "PASS", proc.stdout[-2000:]
    assert got["PM-080"] == "WARN"  # the writing probes are skipped: not verified there
    assert "never run in production" in _checks(result)["PM-080"]["message"]
    data = _checks(result)["PM-081"]["evidence"]["data"]
    assert data["read_only"] == "on" and data["role"] == data["session_user"] == "solvereign_api"
    assert "roster.drivers" in data["relations"] and "core.tenants" in data["relations"]


def test_production_read_only_probes_fail_on_a_leak(make_platform):
    db = make_platform("latest")
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute(LEAK)
    _, result = run_gate(db, PM080, PM081, marker="postmigration",
                         env=db.env(SOLVEREIGN_ENV="production"))  # the variable, not the flag
    assert statuses(result)["PM-080"] == "WARN"  # skipped: production
    check = _checks(result)["PM-081"]
    assert check["status"] == "FAIL"
    assert "roster.drivers: rows of tenant" in check["message"]
    assert check["evidence"]["offenders"] == ["roster.drivers"]


def test_the_probes_write_nothing(make_platform):
    """The read-only session cannot write even where the api role could, and the probes
    leave every row as it was (counted as superuser before and after)."""
    db = make_platform("latest")
    count = ("SELECT (SELECT count(*) FROM roster.drivers), (SELECT count(*) FROM core.sites),"
             " (SELECT count(*) FROM core.audit_log)")
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        before = conn.execute(count).fetchone()
    _, result = run_gate(db, PM081, marker="postmigration")
    assert statuses(result)["PM-081"] == "PASS"
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        assert conn.execute(count).fetchone() == before


def test_a_bad_statement_timeout_is_one_clear_failure(make_platform):
    db = make_platform("latest")
    _, result = run_gate(db, PM081, marker="postmigration",
                         env=db.env(SOLVEREIGN_PROBE_STATEMENT_TIMEOUT="soon; DROP"))
    check = _checks(result)["PM-081"]
    assert check["status"] == "FAIL"
    assert "SOLVEREIGN_PROBE_STATEMENT_TIMEOUT='soon; DROP' is not a positive duration" in \
        check["message"]
    assert "Traceback" not in check["message"]


def test_a_relation_readable_with_no_tenant_and_no_tenant_column_is_unproven(make_platform):
    """Global-looking data cannot be told from a leak by behaviour: WARN naming it."""
    db = make_platform("latest")
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute("CREATE VIEW roster.v_driver_names AS SELECT display_name FROM roster.drivers")
        conn.execute("GRANT SELECT ON roster.v_driver_names TO solvereign_api")
    _, result = run_gate(db, PM081, marker="postmigration")
    check = _checks(result)["PM-081"]
    assert check["status"] == "WARN", check["message"]
    assert "roster.v_driver_names: rows visible with no tenant set" in check["message"]

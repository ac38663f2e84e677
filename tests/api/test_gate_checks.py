"""The gate's API checks against broken variants of the sandbox API (the kill matrix).

Each fault (SOLVEREIGN_SANDBOX_FAULTS, test infrastructure) breaks one property; exactly
the check owning it fails, and its message names the route. Postmigration checks run
against a `latest` database, freeze checks against a `pre` one (the freeze comes first).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cutover.configstore import WRITES_DISABLED_KEY, LocalConfigStore
from tests.api.conftest import probe_env
from tests.platform import REPO, run_gate, statuses

PM = sorted(str(p.relative_to(REPO)) for p in (REPO / "checks/p3_postmigration")
            .glob("test_pm1*.py"))
FZ = sorted(str(p.relative_to(REPO)) for p in (REPO / "checks/p2_freeze").glob("test_fz*.py"))
PM_IDS = {"PM-100", "PM-101", "PM-102", "PM-103", "PM-104", "PM-105", "PM-106", "PM-107"}
pytestmark = pytest.mark.slow


def gate(db, api, paths, marker, **env):
    settings = {"SOLVEREIGN_API_URL": api.url if api else "", **probe_env(db),
                "SOLVEREIGN_PROBE_TENANT_A": "wien_pilot",
                "SOLVEREIGN_PROBE_TENANT_B": "graz_test", "SOLVEREIGN_API_WAIT_SECONDS": "3",
                "SOLVEREIGN_ARTIFACTS_DIR": str(db.workdir / "artifacts"), **env}
    settings = {k: v for k, v in settings.items() if v is not None}
    return run_gate(db, *paths, marker=marker, env=db.env(**settings))


def only_failure(result: dict, check_id: str) -> str:
    """Exactly `check_id` failed, everything else passed."""
    got = statuses(result)
    assert got.get(check_id) == "FAIL", got
    others = {k: v for k, v in got.items() if k != check_id and v != "PASS"}
    assert not others, f"other checks changed too: {others}"
    return next(c["message"] for c in result["checks"] if c["check_id"] == check_id)


def set_flag(db, disabled: bool) -> None:
    with LocalConfigStore(db.workdir / "config-store.json") as store:
        store.set_flag(WRITES_DISABLED_KEY, disabled)


def test_healthy_api_passes_every_postmigration_check(latest_db, start_api):
    api = start_api(latest_db)
    proc, result = gate(latest_db, api, PM, "postmigration")
    assert statuses(result) == dict.fromkeys(PM_IDS, "PASS"), proc.stdout[-3000:]
    assert proc.returncode == 0 and "VERDICT: PASS" in proc.stdout
    artifacts = latest_db.workdir / "artifacts"
    health = json.loads((artifacts / "health_check.json").read_text())
    assert health["status"] == "PASS" and health["ready"]["body"]["ready"] is True
    auth = json.loads((artifacts / "auth_separation_test.json").read_text())
    assert auth["verdict"] == "PASS"
    assert set(auth["checks"]) == PM_IDS - {"PM-100"}
    text = "\n".join(p.read_text() for p in artifacts.iterdir())
    probes = [v for k, v in probe_env(latest_db).items() if not k.endswith("_EMAIL")]
    for secret in [*latest_db.secrets(), *probes]:  # e-mails name users, they are no secret
        if len(secret) > 20:
            assert secret not in text


@pytest.mark.parametrize("fault, check, named", [
    ("platform_accepts_key", "PM-101", ["GET /api/v1/platform/tenants with X-API-Key",
                                        "POST /api/v1/platform/tenants/{tenant_id}/deactivate"]),
    ("platform_accepts_key:/api/v1/platform/security-events", "PM-101",
     ["1 platform routes", "GET /api/v1/platform/security-events with X-API-Key answered "
                           "HTTP 200"]),
    ("pack_accepts_cookie:/api/v1/roster/drivers", "PM-102",
     ["1 pack routes", "GET /api/v1/roster/drivers with a valid session cookie answered "
                       "HTTP 200"]),
    ("route_without_auth:/api/v1/routing/status", "PM-103",
     ["1 routes answer without credentials: GET /api/v1/routing/status answered HTTP 200"]),
    ("route_without_auth:/api/v1/platform/tenants", "PM-103",
     ["GET /api/v1/platform/tenants answered HTTP 200"]),
    ("hidden_route", "PM-103",
     ["1 routes answer without credentials: GET /internal/tenants answered HTTP 200"]),
    ("route_without_auth:/api/v1/platform/tenants/{tenant_id}", "PM-103",
     ["1 routes answer without credentials: GET /api/v1/platform/tenants/{tenant_id} "
      "answered HTTP 200 to an anonymous request for /api/v1/platform/tenants/"]),
    ("body_route", "PM-103",
     ["1 routes answer without credentials: POST /api/v1/search/tenants answered HTTP 200 "
      "to an anonymous request for /api/v1/search/tenants with a schema-valid body"]),
    ("pack_uses_platform_role:/api/v1/roster/drivers", "PM-104",
     ["GET /api/v1/roster/drivers with the key of wien_pilot returns data of graz_test",
      "GET /api/v1/roster/drivers with the key of graz_test returns data of"]),
    ("pack_uses_platform_role:/api/v1/roster/plans/{plan_id}", "PM-104",
     ["GET /api/v1/roster/plans/{plan_id} with the key of wien_pilot reads graz_test's"]),
    ("replay_off", "PM-105", ["the replay of POST /api/v1/roster/absences answered HTTP 422"]),
    ("session_not_revoked", "PM-106",
     ["1 ways a session outlives its user's rights: GET /api/v1/platform/security-events answered "
      "HTTP 200 to the session of support@solvereign.example after the user was disabled"]),
    ("disabled_user_signs_in", "PM-106",
     ["1 ways a session outlives its user's rights: POST /api/v1/platform/login signed "
      "support@solvereign.example in while the user was disabled"]),
    ("login_not_throttled", "PM-107",
     ["POST /api/v1/platform/login: 20 failed sign-ins for one e-mail, none refused with "
      "HTTP 429"]),
])
def test_each_fault_fails_exactly_its_check(latest_db, start_api,fault, check, named):
    api = start_api(latest_db, SOLVEREIGN_SANDBOX_FAULTS=fault)
    proc, result = gate(latest_db, api, PM, "postmigration")
    message = only_failure(result, check)
    for text in named:
        assert text in message, message
    assert proc.returncode == 2 and "VERDICT: FAIL" in proc.stdout


PM103 = "checks/p3_postmigration/test_pm103_no_anonymous_access.py"
NO_LOGIN = {"SOLVEREIGN_PROBE_PLATFORM_EMAIL": None, "SOLVEREIGN_PROBE_PLATFORM_PASSWORD": None}


def test_a_route_pm103_cannot_prove_closed_is_a_warning_naming_it(latest_db, start_api):
    api = start_api(latest_db, SOLVEREIGN_SANDBOX_FAULTS="unprovable_route")
    proc, result = gate(latest_db, api, PM, "postmigration")
    got = statuses(result)
    assert got == {**dict.fromkeys(PM_IDS, "PASS"), "PM-103": "WARN"}, got
    message = next(c["message"] for c in result["checks"] if c["check_id"] == "PM-103")
    assert message == ("not verified: 1 routes could not be proven closed: GET "
                       "/api/v1/exports/{export_token} answered HTTP 404 not_found to an "
                       "anonymous request; no real value for {export_token}")
    assert proc.returncode == 1 and "VERDICT: WARN" in proc.stdout


def test_pm103_without_the_route_table_uses_the_configured_extra_routes(latest_db, start_api):
    """No platform login: no route table. The document alone misses the hidden route (the
    old PM-103's blind spot); SOLVEREIGN_API_EXTRA_ROUTES names it, and a {tenant_id}
    route is retried with tenant ids read through the gate's database session."""
    faults = "hidden_route,route_without_auth:/api/v1/platform/tenants/{tenant_id}"
    api = start_api(latest_db, SOLVEREIGN_SANDBOX_FAULTS=faults)
    _, result = gate(latest_db, api, [PM103], "postmigration", **NO_LOGIN)
    message = only_failure(result, "PM-103")
    assert message.startswith("1 routes answer without credentials: GET "
                              "/api/v1/platform/tenants/{tenant_id} answered HTTP 200 to an "
                              "anonymous request for /api/v1/platform/tenants/"), message
    assert "/internal/tenants" not in message
    routes = latest_db.workdir / "extra-routes.txt"
    routes.write_text("# left out of the OpenAPI document\nGET /internal/tenants\n")
    _, result = gate(latest_db, api, [PM103], "postmigration", **NO_LOGIN,
                     SOLVEREIGN_API_EXTRA_ROUTES=f"@{routes}")
    message = only_failure(result, "PM-103")
    assert message.startswith("2 routes answer without credentials: GET "
                              "/api/v1/platform/tenants/{tenant_id} answered"), message
    assert message.endswith("; GET /internal/tenants answered HTTP 200"), message


def test_pm103_refuses_a_malformed_extra_route_setting(latest_db, start_api):
    api = start_api(latest_db)
    _, result = gate(latest_db, api, [PM103], "postmigration",
                     SOLVEREIGN_API_EXTRA_ROUTES="FETCH /internal/tenants")
    message = only_failure(result, "PM-103")
    assert message == ("SOLVEREIGN_API_EXTRA_ROUTES: 'FETCH /internal/tenants' is not "
                       "`METHOD /path` (METHOD one of GET, POST, PUT, PATCH, DELETE)")


@pytest.mark.parametrize("fault, expected", [(None, "PASS"), ("session_not_revoked", "FAIL")])
def test_pm106_also_takes_admin_from_an_admin_probe_user(latest_db, start_api, fault, expected):
    """With an admin as the revoke-probe user, PM-106 also probes the loss of admin; every
    change it makes is undone."""
    api = start_api(latest_db, **({"SOLVEREIGN_SANDBOX_FAULTS": fault} if fault else {}))
    admin = probe_env(latest_db)["SOLVEREIGN_PROBE_PLATFORM_PASSWORD"]
    _, result = gate(latest_db, api, [PM[6]], "postmigration",
                     SOLVEREIGN_PROBE_REVOKE_EMAIL="ops@solvereign.example",
                     SOLVEREIGN_PROBE_REVOKE_PASSWORD=admin)
    assert statuses(result) == {"PM-106": expected}
    if fault:
        message = result["checks"][0]["message"]
        assert message.startswith("2 ways a session outlives its user's rights: "), message
        assert "after the user was disabled" in message
        assert message.endswith("to the admin session of ops@solvereign.example after the "
                                "user lost platform admin")
    import psycopg

    with psycopg.connect(latest_db.url("postgres")) as conn:
        users = conn.execute("SELECT email, disabled_at, is_platform_admin FROM core.users"
                             " ORDER BY email").fetchall()
    assert users == [("ops@solvereign.example", None, True),
                     ("support@solvereign.example", None, False)]


def test_pm106_heals_a_probe_user_an_interrupted_run_left_disabled(latest_db, start_api):
    import psycopg

    api = start_api(latest_db)
    with psycopg.connect(latest_db.url("postgres"), autocommit=True) as conn:
        conn.execute("UPDATE core.users SET disabled_at = 'epoch'"
                     " WHERE email = 'support@solvereign.example'")
        _, result = gate(latest_db, api, [PM[6]], "postmigration")
        left = conn.execute("SELECT disabled_at FROM core.users"
                            " WHERE email = 'support@solvereign.example'").fetchone()[0]
    assert statuses(result) == {"PM-106": "PASS"} and left is None


def test_in_production_the_writing_probes_are_not_verified(latest_db, start_api):
    """PM-106/PM-107 write, and so does PM-103's retry of a mutating route: in production
    they are warnings naming what was not run, never a pass."""
    api = start_api(latest_db, SOLVEREIGN_SANDBOX_FAULTS="body_route")
    _, result = gate(latest_db, api, [PM103, PM[6], PM[7]], "postmigration",
                     SOLVEREIGN_ENV="production")
    assert statuses(result) == {"PM-103": "WARN", "PM-106": "WARN", "PM-107": "WARN"}
    messages = {c["check_id"]: c["message"] for c in result["checks"]}
    assert messages["PM-103"] == (
        "not verified: 1 routes could not be proven closed: POST /api/v1/search/tenants "
        "answered HTTP 422 invalid_request to an anonymous request; a retry with real values "
        "could write and is not run in production (SOLVEREIGN_ALLOW_ACTIVE_PROBES=true "
        "allows it)")
    assert messages["PM-106"].startswith("not verified: PM-106 disables a platform user")
    assert messages["PM-107"].startswith("not verified: PM-107's failed sign-ins write")
    _, result = gate(latest_db, api, [PM103], "postmigration", SOLVEREIGN_ENV="production",
                     SOLVEREIGN_ALLOW_ACTIVE_PROBES="true")
    assert "with a schema-valid body" in only_failure(result, "PM-103")


def test_pm107_refuses_a_malformed_attempt_count(latest_db, start_api):
    api = start_api(latest_db)
    _, result = gate(latest_db, api, [PM[7]], "postmigration",
                     SOLVEREIGN_PROBE_LOGIN_ATTEMPTS="many")
    assert only_failure(result, "PM-107") == ("SOLVEREIGN_PROBE_LOGIN_ATTEMPTS must be a whole "
                                              "number from 1 to 1000 (got 'many')")


def test_unready_api_fails_health_only(latest_db, start_api):
    broken = latest_db.workdir / "broken-store.json"
    broken.write_text("{not json")
    api = start_api(latest_db, SOLVEREIGN_CONFIG_STORE_FILE=str(broken))
    _, result = gate(latest_db, api, PM, "postmigration")
    message = only_failure(result, "PM-100")
    assert "/health/ready says ready=False" in message and "is not valid JSON" in message


def test_unexpected_write_state_fails_health(latest_db, start_api):
    api = start_api(latest_db)
    _, result = gate(latest_db, api, PM, "postmigration",
                     SOLVEREIGN_EXPECT_WRITES_ENABLED="false")
    message = only_failure(result, "PM-100")
    assert "writes_enabled=true, this phase expects false" in message


def test_without_api_url_the_checks_are_not_applicable(latest_db):
    proc, result = gate(latest_db, None, PM, "postmigration")
    assert statuses(result) == dict.fromkeys(PM_IDS, "N/A")
    assert "VERDICT: FAIL" in proc.stdout  # nothing verified is never a pass


def test_missing_credentials_are_not_verified_never_pass(latest_db, start_api):
    api = start_api(latest_db)
    blank = dict.fromkeys([*probe_env(latest_db), "SOLVEREIGN_PROBE_TENANT_A",
                           "SOLVEREIGN_PROBE_TENANT_B"], None)
    env = latest_db.env(SOLVEREIGN_API_URL=api.url, SOLVEREIGN_API_WAIT_SECONDS="3")
    for name in blank:
        env.pop(name, None)
    proc, result = run_gate(latest_db, *PM, marker="postmigration", env=env)
    got = statuses(result)
    assert got == {"PM-100": "PASS", "PM-103": "PASS", "PM-101": "WARN", "PM-102": "WARN",
                   "PM-104": "WARN", "PM-105": "WARN", "PM-106": "WARN", "PM-107": "PASS"}
    messages = {c["check_id"]: c["message"] for c in result["checks"]}
    assert messages["PM-101"].startswith("not verified: SOLVEREIGN_PROBE_API_KEY_A not set")
    assert proc.returncode == 1 and "VERDICT: WARN" in proc.stdout


def test_freeze_proven_through_the_application(pre_db, start_api):
    api = start_api(pre_db)
    set_flag(pre_db, True)
    try:
        proc, result = gate(pre_db, api, FZ, "freeze")
    finally:
        set_flag(pre_db, False)
    assert statuses(result) == {"FZ-001": "PASS", "FZ-002": "PASS"}, proc.stdout[-3000:]


def test_freeze_not_set_fails_fz001(pre_db, start_api):
    api = start_api(pre_db)
    _, result = gate(pre_db, api, FZ, "freeze", SOLVEREIGN_API_WAIT_SECONDS="1")
    message = only_failure(result, "FZ-001")
    assert "/health still reports writes_enabled=true after 1 s" in message
    assert "POST /api/v1/roster/plans answered HTTP 422 invalid_request" in message


@pytest.mark.parametrize("fault, named, not_named", [
    ("ignore_flag", ["/health still reports writes_enabled=true",
                     "POST /api/v1/roster/absences answered HTTP 422"], []),
    ("flag_not_enforced:/api/v1/roster/absences",
     ["1 signs that writes are not frozen: POST /api/v1/roster/absences answered HTTP 422"],
     ["/health", "POST /api/v1/roster/plans"]),
    ("flag_not_enforced:/api/v1/platform/tenants/{tenant_id}/deactivate",
     ["POST /api/v1/platform/tenants/{tenant_id}/deactivate answered HTTP 404"], ["/health"]),
])
def test_freeze_faults_fail_fz001_naming_the_route(pre_db, start_api, fault, named, not_named):
    api = start_api(pre_db, SOLVEREIGN_SANDBOX_FAULTS=fault)
    set_flag(pre_db, True)
    try:
        _, result = gate(pre_db, api, FZ, "freeze", SOLVEREIGN_API_WAIT_SECONDS="1")
    finally:
        set_flag(pre_db, False)
    message = only_failure(result, "FZ-001")
    for text in named:
        assert text in message, message
    for text in not_named:
        assert text not in message, message


def test_paths_exist():
    assert len(PM) == 8 and len(FZ) == 2
    assert all(Path(REPO / p).exists() for p in PM + FZ)

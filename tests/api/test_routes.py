"""The API's routes against the seeded sandbox, at `latest` and at `pre`."""

from __future__ import annotations

import hashlib
import json
import secrets

import psycopg

from tests.api.helpers import SUPPORT, login, signed

WEEK = "2026-01-12"


def key(seed_data, tenant: str = "wien_pilot") -> dict[str, str]:
    return {"X-API-Key": seed_data.api_key(tenant)}


def test_health_and_ready(client):
    health = client.get("/health").json()
    assert health["status"] == "healthy" and health["writes_enabled"] is True
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "database": {"api": "ok", "platform": "ok"},
                            "config_store": "ok"}


def test_openapi_documents_every_route_with_its_scheme(client):
    doc = client.get("/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["ApiKeyAuth"] == {**schemes["ApiKeyAuth"], "type": "apiKey",
                                     "in": "header", "name": "X-API-Key"}
    assert schemes["SessionCookie"]["in"] == "cookie"
    seen = set()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            seen.add(f"{method.upper()} {path}")
            if path.startswith(("/api/v1/roster/", "/api/v1/routing/")):
                assert op["security"] == [{"ApiKeyAuth": []}], path
            elif path.startswith("/api/v1/platform/") and not path.endswith("/login"):
                assert op["security"] == [{"SessionCookie": []}], path
    assert {"GET /health", "GET /health/ready", "GET /metrics", "POST /api/v1/platform/login",
            "GET /api/v1/platform/tenants", "GET /api/v1/routing/status",
            "GET /api/v1/roster/status", "GET /api/v1/roster/drivers",
            "GET /api/v1/roster/shifts", "GET /api/v1/roster/instance",
            "POST /api/v1/roster/plans", "GET /api/v1/roster/plans/{plan_id}",
            "POST /api/v1/roster/absences"} <= seen


def test_pack_status_names_the_key_tenant(client, seed_data):
    for tenant in ("wien_pilot", "graz_test", "linz_demo"):
        roster = client.get("/api/v1/roster/status", headers=key(seed_data, tenant)).json()
        assert roster["tenant"] == tenant and roster["counts"]["drivers"] == 50
        routing = client.get("/api/v1/routing/status", headers=key(seed_data, tenant)).json()
        assert routing["tenant"] == tenant and routing["counts"]["vehicles"] == 9


def test_instance_is_the_seeded_week_in_the_interchange_format(client, seed_data):
    for tenant in ("wien_pilot", "graz_test"):
        got = client.get(f"/api/v1/roster/instance?week_start={WEEK}",
                         headers=key(seed_data, tenant))
        assert got.status_code == 200
        assert got.json() == seed_data.instances[tenant]


def test_week_must_be_a_monday(client, seed_data):
    got = client.get("/api/v1/roster/shifts?week_start=2026-01-13", headers=key(seed_data))
    assert got.status_code == 422 and got.json()["error"] == "invalid_request"


def test_drivers_and_shifts_carry_their_own_tenant(client, seed_data):
    drivers = client.get("/api/v1/roster/drivers", headers=key(seed_data)).json()["drivers"]
    assert len(drivers) == 50 and {d["tenant"] for d in drivers} == {"wien_pilot"}
    shifts = client.get(f"/api/v1/roster/shifts?week_start={WEEK}",
                        headers=key(seed_data)).json()["shifts"]
    assert len(shifts) == 200 and {s["tenant"] for s in shifts} == {"wien_pilot"}
    assert shifts[0]["start"].endswith("+01:00")


def test_seeded_plan_hash_is_the_canonical_hash(client, seed_data):
    plans = client.get("/api/v1/roster/plans", headers=key(seed_data)).json()["plans"]
    assert [p["status"] for p in plans] == ["published"]
    plan = client.get(f"/api/v1/roster/plans/{plans[0]['id']}", headers=key(seed_data)).json()
    doc = {"tenant": "wien_pilot", "instance_sha256": plan["instance_sha256"],
           "seed": plan["seed"], "assignments": plan["assignments"],
           "uncovered": plan["uncovered"]}
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    assert hashlib.sha256(canonical).hexdigest() == plan["plan_sha256"]
    assert len(plan["assignments"]) + len(plan["uncovered"]) == 200


def test_store_and_read_a_plan(client, seed_data):
    k = seed_data.api_key("wien_pilot")
    body = {"week_start": WEEK, "seed": 7, "status": "draft", "tenant": "wien_pilot",
            "instance_sha256": "0" * 64,
            "assignments": [{"shift": "T0002", "driver": "DRV005"},
                            {"shift": "T0001", "driver": "DRV004"}],
            "uncovered": ["T0003"]}
    created = signed(client, k, "POST", "/api/v1/roster/plans", body)
    assert created.status_code == 201, created.text
    plan = created.json()
    assert plan["tenant"] == "wien_pilot" and plan["status"] == "draft"
    assert plan["assignments"] == [{"shift": "T0001", "driver": "DRV004"},
                                   {"shift": "T0002", "driver": "DRV005"}]
    again = client.get(f"/api/v1/roster/plans/{plan['id']}", headers=key(seed_data)).json()
    assert again == plan
    other = client.get(f"/api/v1/roster/plans/{plan['id']}", headers=key(seed_data, "graz_test"))
    assert other.status_code == 404


def test_plan_refusals(client, seed_data):
    k = seed_data.api_key("wien_pilot")
    base = {"week_start": WEEK, "seed": 1, "assignments": []}
    cases = [
        ({**base, "status": "published"}, 409, "conflict"),  # the seed already published one
        ({**base, "assignments": [{"shift": "T9999", "driver": "DRV001"}]}, 422,
         "unknown_reference"),
        ({**base, "tenant": "graz_test"}, 422, "tenant_mismatch"),
        ({**base, "assignments": [{"shift": "T0001", "driver": "DRV001"},
                                  {"shift": "T0001", "driver": "DRV002"}]}, 422, "invalid_plan"),
        ({**base, "surprise": 1}, 422, "invalid_request"),
    ]
    for body, status, error in cases:
        got = signed(client, k, "POST", "/api/v1/roster/plans", body)
        assert (got.status_code, got.json()["error"]) == (status, error), body


def test_record_an_absence(client, seed_data):
    k = seed_data.api_key("graz_test")
    body = {"driver": "DRV007", "start": "2026-01-14T00:00:00+01:00",
            "end": "2026-01-15T00:00:00+01:00", "reason": "sick"}
    got = signed(client, k, "POST", "/api/v1/roster/absences", body)
    assert got.status_code == 201 and got.json()["tenant"] == "graz_test"
    bad = signed(client, k, "POST", "/api/v1/roster/absences", {**body, "end": body["start"]})
    assert bad.status_code == 422


def test_signature_is_required_and_checked(client, seed_data):
    k = seed_data.api_key("wien_pilot")
    body = {"driver": "DRV001", "start": "2026-01-14T00:00:00+01:00",
            "end": "2026-01-15T00:00:00+01:00", "reason": "sick"}
    unsigned = client.post("/api/v1/roster/absences", json=body, headers={"X-API-Key": k})
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "missing_signature")
    wrong_key = signed(client, k, "POST", "/api/v1/roster/absences", body,
                       sign_key=seed_data.api_key("graz_test"))
    assert (wrong_key.status_code, wrong_key.json()["error"]) == (401, "invalid_signature")
    stale = signed(client, k, "POST", "/api/v1/roster/absences", body, timestamp=1_000_000)
    assert (stale.status_code, stale.json()["error"]) == (401, "stale_timestamp")


def test_replay_is_refused_and_logged(client, seed_data, shared_db):
    k = seed_data.api_key("linz_demo")
    nonce = "test-replay-" + secrets.token_hex(8)
    body = {"driver": "DRV010", "start": "2026-01-16T00:00:00+01:00",
            "end": "2026-01-17T00:00:00+01:00", "reason": "training"}
    first = signed(client, k, "POST", "/api/v1/roster/absences", body, nonce=nonce)
    assert first.status_code == 201
    replay = client.send(first.request)
    assert (replay.status_code, replay.json()["error"]) == (409, "replay_detected")
    with psycopg.connect(shared_db.url("postgres")) as conn:
        rows = conn.execute("SELECT severity, tenant_id, details FROM core.security_events"
                            " WHERE event_type = 'REPLAY_ATTACK' AND details->>'nonce' = %s",
                            (nonce,)).fetchall()
        absences = conn.execute("SELECT count(*) FROM roster.absences WHERE tenant_id ="
                                " 'linz_demo' AND reason = 'training'").fetchone()[0]
    assert absences == 1
    assert [(r[0], r[1], r[2]["key_prefix"]) for r in rows] == [("HIGH", "linz_demo", k[:12])]


def test_keys_that_must_not_authenticate(client, seed_data):
    revoked = next(x.key for x in seed_data.api_keys if x.tenant == "wien_pilot" and x.revoked)
    suspended = seed_data.api_key("salzburg_legacy")
    for bad in (revoked, suspended, "svk_" + "a" * 52, "x"):
        got = client.get("/api/v1/roster/status", headers={"X-API-Key": bad})
        assert (got.status_code, got.json()["error"]) == (401, "invalid_api_key"), bad[:8]


def test_auth_separation(client, seed_data):
    cookie = login(client, seed_data)
    tenants = client.get("/api/v1/platform/tenants", headers={"Cookie": cookie}).json()
    assert {t["id"] for t in tenants["tenants"]} >= {"wien_pilot", "salzburg_legacy"}
    with_key = client.get("/api/v1/platform/tenants",
                          headers={"Cookie": cookie, **key(seed_data)})
    assert (with_key.status_code, with_key.json()["error"]) == (401, "wrong_auth_method")
    pack = client.get("/api/v1/roster/status", headers={"Cookie": cookie})
    assert (pack.status_code, pack.json()["error"]) == (401, "missing_api_key")
    anonymous = client.get("/api/v1/platform/tenants")
    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "missing_session")
    forged = client.get("/api/v1/platform/tenants",
                        headers={"Cookie": cookie[:-3] + "AAA"})
    assert forged.json()["error"] == "invalid_session"


def test_login_refusals(client, seed_data):
    wrong = client.post("/api/v1/platform/login",
                        json={"email": "ops@solvereign.example", "password": "nope"})
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_credentials")
    unknown = client.post("/api/v1/platform/login",
                          json={"email": "ghost@example.invalid", "password": "nope"})
    assert unknown.status_code == 401 and "set-cookie" not in unknown.headers


def test_only_admins_suspend_tenants(client, seed_data):
    cookie = login(client, seed_data, SUPPORT)
    got = client.post("/api/v1/platform/tenants/salzburg_legacy/deactivate",
                      headers={"Cookie": cookie})
    assert (got.status_code, got.json()["error"]) == (403, "forbidden")
    admin = login(client, seed_data)
    done = client.post("/api/v1/platform/tenants/salzburg_legacy/deactivate",
                       headers={"Cookie": admin})
    assert done.status_code == 200 and done.json()["is_active"] is False
    missing = client.post("/api/v1/platform/tenants/nobody_here/deactivate",
                          headers={"Cookie": admin})
    assert missing.status_code == 404


def test_unknown_routes_after_auth(client, seed_data):
    assert client.get("/api/v1/roster/nothing").json()["error"] == "missing_api_key"
    got = client.get("/api/v1/roster/nothing", headers=key(seed_data))
    assert (got.status_code, got.json()["error"]) == (404, "not_found")
    assert client.get("/nowhere").status_code == 404

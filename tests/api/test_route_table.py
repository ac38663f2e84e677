"""The sandbox's route table (for PM-103) and the anonymous-access proof, on real servers.

The route table lists routes the OpenAPI document leaves out, so it is itself sensitive:
only platform admins read it, and a production process does not have it at all.
"""

from __future__ import annotations

import httpx
import pytest

from checks.api_anonymous import CLOSED, OPEN, UNPROVEN, AnonymousProof
from cutover.api import probe as apiprobe
from cutover.api import schema
from cutover.api.probe import ApiProbe
from tests.api.conftest import seed_for
from tests.api.helpers import SUPPORT, login

TABLE = apiprobe.ROUTE_TABLE_PATH


def test_route_table_lists_hidden_routes_to_admins_only(latest_db, start_api):
    api = start_api(latest_db, SOLVEREIGN_SANDBOX_FAULTS="hidden_route")
    data = seed_for(latest_db.hmac_secret)
    with httpx.Client(base_url=api.url, timeout=10) as client:
        assert client.get(TABLE).json()["error"] == "missing_session"
        keyed = client.get(TABLE, headers={"X-API-Key": data.api_key("wien_pilot")})
        assert (keyed.status_code, keyed.json()["error"]) == (401, "wrong_auth_method")
        support = client.get(TABLE, headers={"Cookie": login(client, data, SUPPORT)})
        assert (support.status_code, support.json()["error"]) == (403, "forbidden")
        routes = client.get(TABLE, headers={"Cookie": login(client, data)}).json()["routes"]
    assert {"path": "/internal/tenants", "methods": ["GET"], "in_schema": False} in routes
    assert {"path": "/api/v1/roster/plans/{plan_id}", "methods": ["GET"],
            "in_schema": True} in routes
    documented = httpx.get(api.url + "/openapi.json").json()["paths"]
    assert "/internal/tenants" not in documented  # what the old PM-103 could never see


def test_a_production_api_has_no_route_table():
    """Not even as a refusal: the production app never mounts it (built, not served: a
    production process needs a real App Configuration store)."""
    from sandbox.api.app import create_app
    from sandbox.api.routes.debug import table
    from sandbox.api.settings import ApiSettings

    def routes(env: str) -> set[str]:
        app = create_app(ApiSettings(api_db_url="postgresql://a@h/d",
                                     platform_db_url="postgresql://a@h/d",
                                     session_secret="s" * 40, hmac_secret="h" * 40, env=env))
        return {e["path"] for e in table(list(app.routes))} | set(app.openapi()["paths"])

    assert TABLE in routes("staging")
    assert TABLE not in routes("production")


def test_a_mutating_retry_runs_only_where_active_probes_are_allowed(latest_db, start_api):
    api = start_api(latest_db, SOLVEREIGN_SANDBOX_FAULTS="body_route,unprovable_route")
    with ApiProbe(api.url) as probe:
        ops = probe.operations()
        search = probe.find("POST", "/api/v1/search/tenants")
        frozen = AnonymousProof(probe, ops, writes_allowed=False).judge(search)
        assert frozen.status == UNPROVEN
        assert frozen.message == ("POST /api/v1/search/tenants answered HTTP 422 "
                                  "invalid_request to an anonymous request; a retry with real "
                                  "values could write and is not run in production "
                                  "(SOLVEREIGN_ALLOW_ACTIVE_PROBES=true allows it)")
        active = AnonymousProof(probe, ops, writes_allowed=True).judge(search)
        assert active.status == OPEN and [r["status"] for r in active.records] == [422, 200]
        export = probe.find("GET", "/api/v1/exports/{export_token}")
        configured = AnonymousProof(probe, ops, configured={"export_token": "abcdefgh"})
        judged = configured.judge(export)
        assert judged.status == UNPROVEN and "and HTTP 404 not_found with real values" in \
            judged.detail
        plan = probe.find("GET", "/api/v1/roster/plans/{plan_id}")
        assert AnonymousProof(probe, ops).judge(plan).status == CLOSED


def test_schema_values_follow_the_document():
    doc = {"components": {"schemas": {"In": {
        "type": "object", "required": ["code", "n", "when", "tags"],
        "properties": {"code": {"type": "string", "pattern": "^DRV[0-9]{3}$"},
                       "n": {"type": "integer", "minimum": 5},
                       "when": {"type": "string", "format": "date"},
                       "tags": {"type": "array", "minItems": 1,
                                "items": {"enum": ["x", "y"]}},
                       "optional": {"type": "string"}}}}}}
    spec = {"requestBody": {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/In"}}}}}
    assert schema.body_of(doc, spec) == (True, {"code": "DRV000", "n": 5,
                                                   "when": "2026-01-12", "tags": ["x"]})
    assert schema.body_of(doc, {}) == (False, None)
    with pytest.raises(schema.Unbuildable):
        schema.example(doc, {"type": "string", "pattern": "^a$", "minLength": 3})


def test_extra_routes_parse_inline_lists_and_route_tables():
    assert apiprobe.parse_routes("GET /a, POST /b/{id:int}\n/c\n# note") == [
        ("GET", "/a"), ("POST", "/b/{id:int}"), ("GET", "/c")]
    table = '{"routes": [{"path": "/x/{t}", "methods": ["GET", "POST"]}]}'
    assert apiprobe.parse_routes(table) == [("GET", "/x/{t}"), ("POST", "/x/{t}")]
    op = apiprobe.undocumented("GET", "/b/{id:int}", "configured")
    assert op.path == "/b/{id}" and op.path_params[0]["schema"] == {"type": "integer"}
    with pytest.raises(ValueError, match="'FETCH /x' is not `METHOD /path`"):
        apiprobe.parse_routes("FETCH /x")
    with pytest.raises(ValueError, match="not a route table"):
        apiprobe.parse_routes('{"paths": {}}')

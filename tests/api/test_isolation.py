"""A key of tenant A never sees tenant B's rows: property-based over tenants and routes."""

from __future__ import annotations

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover.api.responses import ids_in, tenants_in

TENANTS = ("wien_pilot", "graz_test", "linz_demo")
READS = ("/api/v1/roster/status", "/api/v1/roster/drivers", "/api/v1/roster/plans",
         "/api/v1/roster/shifts?week_start=2026-01-12",
         "/api/v1/roster/instance?week_start=2026-01-12", "/api/v1/routing/status",
         "/api/v1/routing/vehicles", "/api/v1/routing/routes",
         "/api/v1/routing/routes?service_date=2026-01-13")
FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(own=st.sampled_from(TENANTS), path=st.sampled_from(READS))
def test_reads_show_only_the_callers_rows(client, seed_data, own, path):
    got = client.get(path, headers={"X-API-Key": seed_data.api_key(own)})
    assert got.status_code == 200, got.text
    body = got.json()
    assert set(tenants_in(body)) <= {own}
    text = got.text
    assert not [t for t in TENANTS if t != own and f'"{t}"' in text]


@FAST
@given(pair=st.permutations(TENANTS).map(lambda p: p[:2]))
def test_another_tenants_plan_is_not_found(client, seed_data, pair):
    own, other = pair
    theirs = client.get("/api/v1/roster/plans", headers={"X-API-Key": seed_data.api_key(other)})
    for plan_id in ids_in(theirs.json()):
        got = client.get(f"/api/v1/roster/plans/{plan_id}",
                         headers={"X-API-Key": seed_data.api_key(own)})
        assert got.status_code == 404


def test_counts_match_the_database_per_tenant(client, seed_data, shared_db):
    with psycopg.connect(shared_db.url("postgres")) as conn:
        expected = dict(conn.execute(
            "SELECT tenant_id, count(*) FROM roster.drivers GROUP BY tenant_id").fetchall())
    for tenant in TENANTS:
        status = client.get("/api/v1/roster/status",
                            headers={"X-API-Key": seed_data.api_key(tenant)}).json()
        assert status["counts"]["drivers"] == expected[tenant]

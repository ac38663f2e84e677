"""PM-080: as the api role, tenant A never sees, changes or reaches tenant B (active probes)."""

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.p3_postmigration.probes import OPERATIONS, probe, tenant_tables

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.fixture(scope="module")
def api_conn(target):
    """A session as the api role, or a reason the probes cannot run."""
    if target.production:
        pytest.skip("not verified: active probes are never run in production")
    url = target.setting("SOLVEREIGN_API_DB_URL")
    tenants = [t for t in (target.setting("SOLVEREIGN_PROBE_TENANTS") or "").split(",") if t]
    tenants = tenants or ["wien_pilot", "graz_test", "linz_demo"]
    if not url:
        pytest.skip("not verified: SOLVEREIGN_API_DB_URL (the api role's login) is not set")
    with psycopg.connect(url, autocommit=False) as conn:
        yield conn, tenant_tables(conn), tenants


@pytest.mark.check(id="PM-080", severity="blocker", runbook="§3.4",
                   remediation="Find the table and operation in the evidence; fix its policy "
                               "(USING and WITH CHECK on tenant_id) or revoke the privilege.")
def test_pm080_cross_tenant_probes(api_conn, evidence):
    """Hypothesis draws tenant pairs, tables and operations; every probe is rolled back."""
    conn, tables, tenants = api_conn
    leaks: list[str] = []
    ran: list[tuple[str, str]] = []

    @settings(max_examples=150, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(tables), st.sampled_from(OPERATIONS),
           st.permutations(tenants).map(lambda p: p[:2]))
    def run(table, op, pair):
        outcome = probe(conn, table, op, pair[0], pair[1])
        ran.append((table, op))
        if outcome.leak:
            leaks.append(f"{table} {op} as {pair[0]}: {outcome.leak}")

    for table in tables:  # every table is read-probed at least once, whatever is drawn
        outcome = probe(conn, table, "read", tenants[0], tenants[1])
        if outcome.leak:
            leaks.append(f"{table} read as {tenants[0]}: {outcome.leak}")
    run()
    evidence.data.update(probes=len(ran) + len(tables), tables=tables, tenants=tenants)
    evidence.offenders = sorted({leak.split(" ")[0] for leak in leaks})
    assert not leaks, f"{len(leaks)} cross-tenant leaks: " + "; ".join(sorted(set(leaks))[:10])

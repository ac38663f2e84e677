"""PM-080: as the api role, tenant A never sees, changes or reaches tenant B (active probes)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.p3_postmigration import probe_targets as targets
from checks.p3_postmigration.probe_session import api_session
from checks.p3_postmigration.probes import OPERATIONS, probe

pytestmark = [pytest.mark.postmigration, pytest.mark.security]
STALLED = "did not finish in bounded time"


@pytest.fixture(scope="module")
def api_conn(target):
    """A session as the api role (timeouts and search_path pinned), or why it cannot run."""
    if target.production:
        pytest.skip("not verified: active probes are never run in production")
    conn = api_session(target, read_only=False, kind="active")
    with conn:
        found = targets.policy_settings(conn)
        usable = targets.settable_pairs(conn, found)
        yield (conn, targets.relations(conn), targets.tenants(
            target.setting("SOLVEREIGN_PROBE_TENANTS")), found, usable)


@pytest.mark.check(id="PM-080", severity="blocker", runbook="§3.4",
                   remediation="Find the relation and operation in the evidence; fix its policy "
                               "(USING and WITH CHECK on tenant_id), drop the policy the named "
                               "setting opens, or revoke the privilege.")
def test_pm080_cross_tenant_probes(api_conn, evidence):
    """Hypothesis draws tenant pairs, relations, operations and settings; every
    relation is read-probed at least once under each setting; every probe is rolled back."""
    conn, relations, tenants, found, usable = api_conn
    leaks: dict[str, str] = {}
    ran: list[tuple[str, str]] = []
    stalled: set[str] = set()

    def one(rel, op, a, b, setting):
        if rel.label in stalled:
            return
        outcome = probe(conn, rel, op, a, b, setting)
        ran.append((rel.label, op))
        if outcome.leak:
            leaks.setdefault(f"{outcome.table} {op}", f"as {a}: {outcome.leak}")
            if STALLED in outcome.leak:
                stalled.add(rel.label)

    for setting in [None, *usable]:  # every relation, under every setting, at least once
        for rel in relations:
            one(rel, "read", tenants[0], tenants[1], setting)
        if relations:  # and the probes that do not depend on a relation
            for op in ("set_role", "definer_functions"):
                one(relations[0], op, tenants[0], tenants[1], setting)

    @settings(max_examples=150, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(relations), st.sampled_from(OPERATIONS),
           st.permutations(tenants).map(lambda p: p[:2]), st.sampled_from([None, *usable]))
    def run(rel, op, pair, setting):
        one(rel, op, pair[0], pair[1], setting)

    if relations:
        run()
    evidence.data.update(probes=len(ran), relations=[r.label for r in relations],
                         tenants=tenants, settings_read_by_policies=found,
                         settings_tried=[f"{name}={value}" for name, value in usable])
    evidence.offenders = sorted({key.rsplit(" ", 1)[0] for key in leaks})
    named = [f"{key} {detail}" for key, detail in sorted(leaks.items())]
    assert not named, f"{len(named)} cross-tenant leaks: " + "; ".join(named[:10])

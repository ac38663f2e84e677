"""PM-081: as the api role, read-only, tenant A sees no other tenant's rows anywhere.

Runs in every environment, production included: the api role's own login (no SET ROLE),
READ ONLY transactions that are rolled back, SELECTs whose cost follows an index, and a
statement_timeout so a stalling target fails the check in bounded time.
"""

import pytest

from checks.p3_postmigration import probe_targets as targets
from checks.p3_postmigration.probe_session import api_session
from checks.p3_postmigration.readonly_probes import by_relation, probe_read_only

pytestmark = [pytest.mark.postmigration, pytest.mark.security]
MAX_NAMED = 20


@pytest.mark.check(id="PM-081", severity="blocker", runbook="§3.4",
                   remediation="Find the relation in the message: give it tenant_id with RLS "
                               "(ENABLE + FORCE, a tenant policy), make its view "
                               "security_invoker, drop the policy the named setting opens, or "
                               "REVOKE SELECT from the api role; allowlist truly global data.")
def test_pm081_readonly_probes(target, evidence):
    """Every relation the api role can read, as every probe tenant, with no tenant and with
    every setting a policy reads switched on: no other tenant's rows."""
    conn = api_session(target, read_only=True, kind="read-only")
    tenants = targets.tenants(target.setting("SOLVEREIGN_PROBE_TENANTS"))
    with conn:
        who = conn.execute("SELECT current_user::text, session_user::text, "
                           "pg_catalog.current_setting('transaction_read_only'), "
                           "pg_catalog.current_setting('statement_timeout')").fetchone()
        relations = targets.relations(conn)
        settings = targets.policy_settings(conn)
        functions = targets.definer_functions(conn)
        report = probe_read_only(conn, relations, tenants, settings, functions)
    evidence.data.update(
        role=who[0], session_user=who[1], read_only=who[2], tenants=tenants,
        statement_timeout=who[3], relations=[r.label for r in relations],
        definer_functions=[f.signature for f in functions],
        settings_read_by_policies=settings, settings_tried=report.settings_tried,
        settings_refused=report.settings_refused, queries=report.queries,
        transactions=report.transactions,
        leaks=[str(f) for f in report.leaks()][:500],
        unproven=[str(f) for f in report.unproven()])
    leaks = by_relation(report.leaks())
    evidence.offenders = sorted({f.relation for f in report.leaks()})
    if leaks:
        more = f"; and {len(leaks) - MAX_NAMED} more" if len(leaks) > MAX_NAMED else ""
        pytest.fail(f"{len(leaks)} relations leak across tenants (read-only probes): "
                    + "; ".join(leaks[:MAX_NAMED]) + more, pytrace=False)
    unproven = by_relation(report.unproven())
    if unproven:
        pytest.skip(f"not verified: {len(unproven)} relations readable by the api role could not "
                    "be proven isolated: " + "; ".join(unproven[:MAX_NAMED]))

"""PM-012: every policy the api role is subject to binds USING and WITH CHECK to the current
tenant."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-012", severity="blocker", runbook="§3.4",
                   remediation="CREATE POLICY ... TO solvereign_api USING (tenant_id = "
                               "current_setting('app.tenant_id', true)) WITH CHECK (same); "
                               "drop any other permissive policy for the role.")
def test_pm012_tenant_policies(catalog):
    """Every policy the api role is subject to binds USING and WITH CHECK to the current tenant."""
    catalog.assert_none("pm012_tenant_policies.sql",
                        "tenant tables whose api policies are not bound to the tenant")

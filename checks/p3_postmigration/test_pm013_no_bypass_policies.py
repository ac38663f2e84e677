"""PM-013: no policy is always true or lets an unset tenant through (IS NULL OR)."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-013", severity="blocker", runbook="§3.4",
                   remediation="Replace the predicate with tenant_id = "
                               "current_setting('app.tenant_id', true); an unset tenant must "
                               "see nothing.")
def test_pm013_no_bypass_policies(catalog):
    """No policy is always true or lets an unset tenant through (IS NULL OR)."""
    catalog.assert_none("pm013_no_bypass_policies.sql",
                        "policies that bypass the tenant boundary")

"""PM-014: no policy applies to PUBLIC."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-014", severity="blocker", runbook="§3.4",
                   remediation="DROP POLICY <p>; CREATE POLICY <p> ... TO <the role it is "
                               "for>.")
def test_pm014_no_public_policies(catalog):
    """No policy applies to PUBLIC."""
    catalog.assert_none("pm014_no_public_policies.sql",
                        "policies granted to PUBLIC")

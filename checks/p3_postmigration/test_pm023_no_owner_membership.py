"""PM-023: the runtime roles are not members of the owner, definer or migrator roles."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-023", severity="blocker", runbook="§3.4",
                   remediation="REVOKE <owner role> FROM <runtime role>; runtime roles get "
                               "privileges by GRANT, never by membership in an owning role.")
def test_pm023_no_owner_membership(catalog):
    """solvereign_api and solvereign_platform are members of no owning role."""
    catalog.assert_none("pm023_no_owner_membership.sql",
                        "runtime roles that are members of an owning role")

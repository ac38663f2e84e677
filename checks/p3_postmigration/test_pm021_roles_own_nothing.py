"""PM-021: the api and platform roles own nothing, directly or through a role they belong to."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-021", severity="blocker", runbook="§3.4",
                   remediation="REVOKE <owner role> FROM <app role>; ALTER ... OWNER TO "
                               "solvereign_owner.")
def test_pm021_roles_own_nothing(catalog):
    """The api and platform roles own nothing, directly or through a role they belong to."""
    catalog.assert_none("pm021_roles_own_nothing.sql",
                        "objects the application roles own")

"""PM-064 (advisory): at most one permissive policy per role, command and table."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-064", severity="minor", runbook="§3.4", tier="advisory",
                   remediation="Merge the policies into one (USING a OR b), or make the narrower "
                               "one RESTRICTIVE, or bind each to its own role.")
def test_pm064_permissive_policies(catalog):
    """Permissive policies are ORed and each is evaluated per row (advisory, never blocking)."""
    catalog.assert_none("pm064_permissive_policies.sql",
                        "role/command pairs with several permissive policies")

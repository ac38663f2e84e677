"""PM-040: every SECURITY DEFINER function is owned by solvereign_definer."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-040", severity="blocker", runbook="§3.4",
                   remediation="ALTER FUNCTION <f> OWNER TO solvereign_definer (see 025d for "
                               "the CREATE-on-schema dance).")
def test_pm040_definer_owner(catalog):
    """Every SECURITY DEFINER function is owned by solvereign_definer."""
    catalog.assert_none("pm040_definer_owner.sql",
                        "definer functions owned by the wrong role")

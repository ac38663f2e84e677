"""PM-052: every materialized view's owner can still populate it (issue 20, 025g)."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-052", severity="major", runbook="§3.4",
                   remediation="Give the view an owner that reads its base tables through a "
                               "role-bound SELECT policy (025g: solvereign_reporting), never "
                               "BYPASSRLS or NO FORCE; then REFRESH it.")
def test_pm052_matview_owner_can_populate(catalog):
    """FORCE RLS binds the owner too: a view whose owner sees its base tables only through
    tenant policies is emptied by its next REFRESH and breaks every restore of a dump."""
    catalog.assert_none("pm052_matview_owner_can_populate.sql",
                        "materialized views their owner can no longer populate")

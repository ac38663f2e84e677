"""PM-051: no materialized view or foreign table is readable by the api role."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-051", severity="blocker", runbook="§3.4",
                   remediation="REVOKE SELECT ON <m> FROM solvereign_api (and PUBLIC); serve "
                               "it through a security_invoker view over RLS tables.")
def test_pm051_no_matview_for_api(catalog):
    """No materialized view or foreign table is readable by the api role."""
    catalog.assert_none("pm051_no_matview_for_api.sql",
                        "materialized views or foreign tables readable by the api role")

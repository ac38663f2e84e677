"""PM-034: the api role has no TRUNCATE, REFERENCES or TRIGGER (nor, on PostgreSQL 17+,
MAINTAIN) on tenant tables."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.acl]


@pytest.mark.check(id="PM-034", severity="blocker", runbook="§3.5",
                   remediation="REVOKE TRUNCATE, REFERENCES, TRIGGER, MAINTAIN ON <t> FROM "
                               "solvereign_api (and REVOKE pg_maintain FROM solvereign_api).")
def test_pm034_api_dangerous_privileges(catalog):
    """The api role has no TRUNCATE, REFERENCES, TRIGGER or MAINTAIN on tenant tables."""
    catalog.assert_none("pm034_api_dangerous_privileges.sql",
                        "tenant tables with TRUNCATE/REFERENCES/TRIGGER/MAINTAIN for the api role")

"""PM-031: PUBLIC may execute no application function."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.acl]


@pytest.mark.check(id="PM-031", severity="blocker", runbook="§3.5",
                   remediation="REVOKE EXECUTE ON FUNCTION <f> FROM PUBLIC; GRANT EXECUTE to "
                               "the roles that call it.")
def test_pm031_public_function_execute(catalog):
    """PUBLIC may execute no application function."""
    catalog.assert_none("pm031_public_function_execute.sql",
                        "functions executable by PUBLIC")

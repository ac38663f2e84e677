"""PM-042: EXECUTE on definer functions only for the allowlisted roles (api, platform)."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.acl]


@pytest.mark.check(id="PM-042", severity="blocker", runbook="§3.4",
                   remediation="REVOKE EXECUTE ON FUNCTION <f> FROM PUBLIC, <role>; GRANT it "
                               "to the callers on the allowlist.")
def test_pm042_definer_execute_allowlist(catalog):
    """EXECUTE on definer functions only for the allowlisted roles (api, platform)."""
    catalog.assert_none("pm042_definer_execute_allowlist.sql",
                        "definer functions executable beyond the allowlist")

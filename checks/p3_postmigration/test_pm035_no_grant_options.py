"""PM-035: nobody but an owner can pass privileges on (no WITH GRANT OPTION)."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.acl]


@pytest.mark.check(id="PM-035", severity="major", runbook="§3.5",
                   remediation="REVOKE GRANT OPTION FOR ALL ON <object> FROM <role>.")
def test_pm035_no_grant_options(catalog):
    """Nobody but an owner can pass privileges on (no WITH GRANT OPTION)."""
    catalog.assert_none("pm035_no_grant_options.sql",
                        "grant options held by non-owners")

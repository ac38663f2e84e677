"""PM-030: PUBLIC holds no privilege on any application table, view or sequence."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.acl]


@pytest.mark.check(id="PM-030", severity="blocker", runbook="§3.5",
                   remediation="REVOKE ALL ON <object> FROM PUBLIC.")
def test_pm030_public_relation_privileges(catalog):
    """PUBLIC holds no privilege on any application table, view or sequence."""
    catalog.assert_none("pm030_public_relation_privileges.sql",
                        "relations with PUBLIC privileges")

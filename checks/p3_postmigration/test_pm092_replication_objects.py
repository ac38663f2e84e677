"""PM-092: No publication or subscription exists that is not on the reviewed list
(checks/allowlist/publications.toml)."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.acl]


@pytest.mark.check(id="PM-092", severity="blocker", runbook="§3.5",
                   remediation="DROP PUBLICATION <p> / DROP SUBSCRIPTION <s>, or review it and "
                               "list it in checks/allowlist/publications.toml.")
def test_pm092_replication_objects(catalog):
    """No publication or subscription exists that is not on the reviewed list
    (checks/allowlist/publications.toml)."""
    catalog.assert_none("pm092_replication_objects.sql",
                        "unreviewed publications or subscriptions")

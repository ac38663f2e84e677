"""PM-093: The runtime roles may use no foreign data wrapper or foreign server and have no user
mapping (nor PUBLIC)."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.acl]


@pytest.mark.check(id="PM-093", severity="major", runbook="§3.5",
                   remediation="REVOKE USAGE ON FOREIGN SERVER <s> FROM <role>, PUBLIC; DROP "
                               "USER MAPPING FOR <role> SERVER <s>.")
def test_pm093_foreign_data_access(catalog):
    """The runtime roles may use no foreign data wrapper or foreign server and have no user mapping
    (nor PUBLIC)."""
    catalog.assert_none("pm093_foreign_data_access.sql",
                        "foreign data paths for the runtime roles")

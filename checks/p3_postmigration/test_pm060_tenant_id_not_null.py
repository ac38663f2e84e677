"""PM-060: tenant_id is NOT NULL on every tenant table."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-060", severity="blocker", runbook="§3.4",
                   remediation="UPDATE to fix rows, then ALTER TABLE <t> ALTER COLUMN "
                               "tenant_id SET NOT NULL.")
def test_pm060_tenant_id_not_null(catalog):
    """Tenant_id is NOT NULL on every tenant table."""
    catalog.assert_none("pm060_tenant_id_not_null.sql",
                        "tenant tables with a nullable tenant_id")

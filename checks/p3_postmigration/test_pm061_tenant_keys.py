"""PM-061: keys and foreign keys between tenant tables include tenant_id."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-061", severity="major", runbook="§3.4",
                   remediation="Rebuild the key as (tenant_id, ...) and the foreign key as "
                               "(tenant_id, col) REFERENCES t (tenant_id, id).")
def test_pm061_tenant_keys(catalog):
    """Keys and foreign keys between tenant tables include tenant_id."""
    catalog.assert_none("pm061_tenant_keys.sql",
                        "keys without tenant_id")

"""PM-010: RLS enabled and FORCED on every tenant table (partitions included) and core.tenants."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-010", severity="blocker", runbook="§3.4",
                   remediation="ALTER TABLE <t> ENABLE ROW LEVEL SECURITY; ALTER TABLE <t> "
                               "FORCE ROW LEVEL SECURITY; and give it the tenant policy.")
def test_pm010_rls_forced(catalog):
    """RLS enabled and FORCED on every tenant table (partitions included) and core.tenants."""
    catalog.assert_none("pm010_rls_forced.sql",
                        "tables without enforced row-level security")

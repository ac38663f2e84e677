"""PM-011: every table is a tenant table or classified GLOBAL on purpose."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-011", severity="major", runbook="§3.4",
                   remediation="Add tenant_id NOT NULL with RLS, or COMMENT ON TABLE <t> IS "
                               "'GLOBAL: <reason>' in a reviewed migration.")
def test_pm011_tables_classified(catalog):
    """Every table is a tenant table or classified GLOBAL on purpose."""
    catalog.assert_none("pm011_tables_classified.sql",
                        "unclassified tables")

"""PM-038: no column-level grant to PUBLIC or the api role (column grants are audited, not
assumed)."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.acl]


@pytest.mark.check(id="PM-038", severity="minor", runbook="§3.5",
                   remediation="REVOKE <priv> (<column>) ON <t> FROM <role>; grant whole "
                               "tables deliberately or route through a view.")
def test_pm038_column_grants(catalog):
    """No column-level grant to PUBLIC or the api role (column grants are audited, not assumed)."""
    catalog.assert_none("pm038_column_grants.sql",
                        "column grants")

"""PM-032: PUBLIC holds no privilege on the application schemas, public included."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.acl]


@pytest.mark.check(id="PM-032", severity="blocker", runbook="§3.5",
                   remediation="REVOKE ALL ON SCHEMA <s> FROM PUBLIC (CREATE on public "
                               "survives upgrades from before PG15).")
def test_pm032_public_schema_privileges(catalog):
    """PUBLIC holds no privilege on the application schemas, public included."""
    catalog.assert_none("pm032_public_schema_privileges.sql",
                        "schemas with PUBLIC privileges")

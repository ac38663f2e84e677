"""PM-020: the api and platform roles are not SUPERUSER, BYPASSRLS, CREATEROLE, CREATEDB or
REPLICATION."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-020", severity="blocker", runbook="§3.4",
                   remediation="ALTER ROLE <r> NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB "
                               "NOREPLICATION (as a superuser).")
def test_pm020_role_attributes(catalog):
    """The api and platform roles are not SUPERUSER, BYPASSRLS, CREATEROLE, CREATEDB or
    REPLICATION."""
    catalog.assert_none("pm020_role_attributes.sql",
                        "application roles with dangerous attributes")

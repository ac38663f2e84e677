"""PM-033: neither PUBLIC nor a runtime role (api, platform) may create TEMP objects or
schemas in the database."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.acl]


@pytest.mark.check(id="PM-033", severity="blocker", runbook="§3.5",
                   remediation="REVOKE ALL ON DATABASE <db> FROM PUBLIC; REVOKE CREATE, TEMPORARY "
                               "ON DATABASE <db> FROM <runtime role or the group granting it>; "
                               "GRANT CONNECT to the login roles.")
def test_pm033_public_database_temp(catalog):
    """Neither PUBLIC nor a runtime role may create TEMP objects (or schemas) in the database."""
    catalog.assert_none("pm033_public_database_temp.sql",
                        "database privileges of PUBLIC or a runtime role")

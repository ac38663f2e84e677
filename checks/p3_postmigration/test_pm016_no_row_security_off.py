"""PM-016: no role, and not the database, has row_security turned off by a setting."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-016", severity="major", runbook="§3.4",
                   remediation="ALTER ROLE <r> RESET row_security; ALTER ROLE <r> IN DATABASE "
                               "<db> RESET row_security; ALTER DATABASE <db> RESET "
                               "row_security.")
def test_pm016_no_row_security_off(catalog):
    """No application role, and not this database, turns row_security off."""
    catalog.assert_none("pm016_no_row_security_off.sql",
                        "roles or databases with a row_security override")

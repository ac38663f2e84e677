"""PM-016: no role has row_security turned off by a setting."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-016", severity="major", runbook="§3.4",
                   remediation="ALTER ROLE <r> RESET row_security (and the per-database "
                               "setting).")
def test_pm016_no_row_security_off(catalog):
    """No role has row_security turned off by a setting."""
    catalog.assert_none("pm016_no_row_security_off.sql",
                        "roles with a row_security override")

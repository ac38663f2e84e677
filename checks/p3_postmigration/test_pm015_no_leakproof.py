"""PM-015: no user-defined LEAKPROOF function."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-015", severity="major", runbook="§3.4",
                   remediation="ALTER FUNCTION <f> NOT LEAKPROOF (only a superuser can mark "
                               "one, only after review).")
def test_pm015_no_leakproof(catalog):
    """No user-defined LEAKPROOF function."""
    catalog.assert_none("pm015_no_leakproof.sql",
                        "LEAKPROOF user functions")

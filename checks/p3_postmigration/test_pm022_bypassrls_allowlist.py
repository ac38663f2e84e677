"""PM-022: the only BYPASSRLS role (superusers aside) is solvereign_backup."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-022", severity="blocker", runbook="§3.4",
                   remediation="ALTER ROLE <r> NOBYPASSRLS (as a superuser).")
def test_pm022_bypassrls_allowlist(catalog):
    """The only BYPASSRLS role (superusers aside) is solvereign_backup."""
    catalog.assert_none("pm022_bypassrls_allowlist.sql",
                        "roles with BYPASSRLS")

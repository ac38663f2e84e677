"""PM-036: default privileges of the owner and definer roles grant nothing to PUBLIC."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.acl]


@pytest.mark.check(id="PM-036", severity="major", runbook="§3.5",
                   remediation="ALTER DEFAULT PRIVILEGES FOR ROLE <r> [IN SCHEMA <s>] REVOKE "
                               "... FROM PUBLIC (functions: EXECUTE, types: USAGE).")
def test_pm036_default_privileges(catalog):
    """Default privileges of the owner and definer roles grant nothing to PUBLIC."""
    catalog.assert_none("pm036_default_privileges.sql",
                        "default privileges that grant to PUBLIC")

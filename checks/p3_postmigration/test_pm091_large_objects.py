"""PM-091: No large object is readable, writable or owned by PUBLIC or a runtime role, and
lo_compat_privileges is off."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.acl]


@pytest.mark.check(id="PM-091", severity="blocker", runbook="§3.5",
                   remediation="REVOKE ALL ON LARGE OBJECT <oid> FROM PUBLIC, <role>; ALTER "
                               "LARGE OBJECT <oid> OWNER TO solvereign_owner; ALTER SYSTEM RESET"
                               " lo_compat_privileges.")
def test_pm091_large_objects(catalog):
    """No large object is readable, writable or owned by PUBLIC or a runtime role, and
    lo_compat_privileges is off."""
    catalog.assert_none("pm091_large_objects.sql",
                        "large objects open to PUBLIC or a runtime role")

"""PM-025: every privilege the runtime roles effectively hold is on the reviewed allowlist
(checks/allowlist/runtime_privileges.toml)."""

import pytest

from checks.p3_postmigration.runtime_allowlist import load_or_fail

pytestmark = [pytest.mark.postmigration, pytest.mark.acl]


@pytest.mark.check(id="PM-025", severity="blocker", runbook="§3.5",
                   remediation="REVOKE the privilege at the path the message names (from the "
                               "role, the group, or PUBLIC); if the role really needs it, add "
                               "it with its reason to checks/allowlist/runtime_privileges.toml "
                               "in the reviewed commit of the migration that grants it.")
def test_pm025_runtime_privileges(catalog):
    """The api and platform roles can do nothing that the reviewed allowlist does not name."""
    allow = load_or_fail()
    catalog.evidence.note(f"allowlist {allow.path.name}: {len(allow.grants)} privilege(s)")
    catalog.assert_none("pm025_runtime_privileges.sql",
                        "privileges of the runtime roles outside the allowlist",
                        allow.privilege_params())

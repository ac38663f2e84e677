"""PM-024: the runtime roles are members of no role but the reviewed allowlist's
(docs/database.md names none), walked transitively, predefined pg_* roles included."""

import pytest

from checks.p3_postmigration.runtime_allowlist import load_or_fail

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-024", severity="blocker", runbook="§3.4",
                   remediation="REVOKE <group> FROM <runtime role> (or from the group in the "
                               "path); grant the runtime role privileges on objects, never "
                               "membership. A membership that is really needed goes into "
                               "checks/allowlist/runtime_privileges.toml in a reviewed commit.")
def test_pm024_runtime_memberships(catalog):
    """The api and platform roles belong to no role outside the reviewed allowlist."""
    allow = load_or_fail()
    catalog.evidence.note(f"allowlist {allow.path.name}: {len(allow.memberships)} membership(s)")
    catalog.assert_none("pm024_runtime_memberships.sql",
                        "role memberships of the runtime roles outside the allowlist",
                        allow.membership_params())

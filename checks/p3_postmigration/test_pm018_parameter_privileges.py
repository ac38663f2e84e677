"""PM-018: no SET or ALTER SYSTEM privilege on any parameter for a runtime role or PUBLIC
(pg_parameter_acl, PostgreSQL 15+)."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]

PARAMETER_ACL_SINCE = 150000


def parameter_acl_exists(server_version_num: int) -> bool:
    """pg_parameter_acl (GRANT SET / ALTER SYSTEM ON PARAMETER) came with PostgreSQL 15."""
    return server_version_num >= PARAMETER_ACL_SINCE


@pytest.mark.check(id="PM-018", severity="blocker", runbook="§3.4",
                   remediation="REVOKE SET, ALTER SYSTEM ON PARAMETER <p> FROM <grantee> "
                               "(and from PUBLIC); parameters that change security behaviour "
                               "are set by the DBA, never by the application's roles.")
def test_pm018_parameter_privileges(catalog, gate_db):
    """No runtime role, directly, through a group or through PUBLIC, may SET or ALTER SYSTEM
    a parameter that needs superuser rights."""
    version = int(gate_db.execute("SHOW server_version_num").fetchone()[0])
    if not parameter_acl_exists(version):
        pytest.skip(f"not applicable: parameter privileges (pg_parameter_acl) exist from "
                    f"PostgreSQL 15 on; this server is {version}")
    catalog.assert_none("pm018_parameter_privileges.sql",
                        "parameter privileges of the runtime roles or PUBLIC")

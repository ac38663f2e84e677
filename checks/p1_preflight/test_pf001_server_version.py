"""PF-001: the target answers and runs a supported PostgreSQL major version."""

import pytest

pytestmark = [pytest.mark.preflight, pytest.mark.health, pytest.mark.postrollback]
# 15 is the oldest the hardening series applies to (025e: security_invoker views); 18 is
# the newest the matrix (`python3 dev.py matrix`, README) has run the gate and rehearsal on.
SUPPORTED_MAJORS = range(15, 19)


@pytest.mark.dependency(name="PF-001", scope="session")
@pytest.mark.check(id="PF-001", severity="blocker", runbook="§1.2",
                   remediation="Point --db-url at the production primary; upgrade PostgreSQL "
                               "to a supported major (15-18) before the window.")
def test_pf001_server_reachable_and_supported(gate_db, evidence, server_version):
    """Server reachable, not a standby, major version supported."""
    evidence.server_version = server_version
    num, standby = gate_db.execute(
        "SELECT current_setting('server_version_num')::int, pg_is_in_recovery()").fetchone()
    evidence.data.update(server_version_num=num, in_recovery=standby)
    assert num // 10000 in SUPPORTED_MAJORS, (
        f"server version {server_version} is not supported (supported: PostgreSQL "
        f"{SUPPORTED_MAJORS[0]}-{SUPPORTED_MAJORS[-1]}; the hardening series needs 15+)")
    assert not standby, "the target is a standby (in recovery); migrations need the primary"

"""PF-013: the cluster roles the release's migrations need exist before the window."""

import pytest

pytestmark = [pytest.mark.preflight, pytest.mark.security]


@pytest.mark.check(id="PF-013", severity="blocker", runbook="§2.3",
                   remediation="As a role with CREATEROLE (the managed admin, or a superuser): "
                               "CREATE ROLE solvereign_reporting NOLOGIN NOBYPASSRLS; GRANT "
                               "solvereign_reporting TO solvereign_owner.")
def test_pf013_release_roles(catalog):
    """025g refuses to run without solvereign_reporting, and the migrator cannot create it:
    found before the freeze, not halfway through the migrations."""
    catalog.assert_none("pf013_release_roles.sql", "roles the release needs are not ready")

"""PM-017: no runtime role, no ALTER ROLE ALL and not this database presets a setting outside
the reviewed list of harmless ones (app.*, session_replication_role, search_path, ...)."""

import pytest

from checks.p3_postmigration.runtime_allowlist import load_or_fail

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-017", severity="blocker", runbook="§3.4",
                   remediation="ALTER ROLE <r> [IN DATABASE <db>] RESET <setting>; ALTER ROLE "
                               "ALL RESET <setting>; ALTER DATABASE <db> RESET <setting>. The "
                               "application sets app.tenant_id per transaction, never a default.")
def test_pm017_role_database_settings(catalog):
    """Sessions of the runtime roles start with no preset that changes security behaviour."""
    allow = load_or_fail()
    catalog.assert_none("pm017_role_database_settings.sql",
                        "preset settings of the runtime roles or the database",
                        allow.setting_params())

"""PM-041: every SECURITY DEFINER function fixes search_path to trusted schemas with pg_temp
last."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-041", severity="blocker", runbook="§3.4",
                   remediation="ALTER FUNCTION <f> SET search_path = pg_catalog, pg_temp (add "
                               "core/roster/routing only if needed).")
def test_pm041_definer_search_path(catalog):
    """Every SECURITY DEFINER function fixes search_path to trusted schemas with pg_temp last."""
    catalog.assert_none("pm041_definer_search_path.sql",
                        "definer functions with an unsafe search_path")

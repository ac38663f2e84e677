"""PM-050: views run with the caller's rights (security_invoker)."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-050", severity="blocker", runbook="§3.4",
                   remediation="ALTER VIEW <v> SET (security_invoker = true).")
def test_pm050_views_invoker(catalog):
    """Views run with the caller's rights (security_invoker)."""
    catalog.assert_none("pm050_views_invoker.sql",
                        "views that run as their owner")

"""PM-046: Trigger functions on tenant tables run as the caller (no SECURITY DEFINER)."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-046", severity="major", runbook="§3.4",
                   remediation="ALTER FUNCTION <f> SECURITY INVOKER, or drop the trigger; a "
                               "definer trigger runs outside the writer's RLS context.")
def test_pm046_tenant_triggers_invoker(catalog):
    """Trigger functions on tenant tables run as the caller (no SECURITY DEFINER)."""
    catalog.assert_none("pm046_tenant_triggers_invoker.sql",
                        "SECURITY DEFINER triggers on tenant tables")

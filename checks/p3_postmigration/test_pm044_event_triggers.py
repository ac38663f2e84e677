"""PM-044: No event trigger exists that is not on the reviewed list
(checks/allowlist/event_triggers.toml)."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-044", severity="blocker", runbook="§3.4",
                   remediation="DROP EVENT TRIGGER <t> (as a superuser), or review it and list "
                               "it in checks/allowlist/event_triggers.toml.")
def test_pm044_event_triggers(catalog):
    """No event trigger exists that is not on the reviewed list
    (checks/allowlist/event_triggers.toml)."""
    catalog.assert_none("pm044_event_triggers.sql",
                        "unreviewed event triggers")

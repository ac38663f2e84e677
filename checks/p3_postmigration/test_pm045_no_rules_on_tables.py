"""PM-045: No rewrite rule on a table (or a non-_RETURN rule on a view) of an application schema."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-045", severity="blocker", runbook="§3.4",
                   remediation="DROP RULE <r> ON <t>; do the work in the application or a "
                               "reviewed trigger that runs as the caller.")
def test_pm045_no_rules_on_tables(catalog):
    """No rewrite rule on a table (or a non-_RETURN rule on a view) of an application schema."""
    catalog.assert_none("pm045_no_rules_on_tables.sql",
                        "rewrite rules in the application schemas")

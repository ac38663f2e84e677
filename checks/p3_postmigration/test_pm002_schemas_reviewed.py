"""PM-002: every application schema is on the reviewed list (checks/allowlist/schemas.toml)."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-002", severity="major", runbook="§3.4",
                   remediation="Review what the schema holds and who may use it; then add it "
                               "to checks/allowlist/schemas.toml with its reason in a reviewed "
                               "commit, or DROP SCHEMA <s> (after moving what belongs elsewhere).")
def test_pm002_schemas_reviewed(catalog):
    """A schema nobody reviewed is itself a finding (every other check judges it anyway)."""
    catalog.assert_none("pm002_schemas_reviewed.sql", "unreviewed schemas")

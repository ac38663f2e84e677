"""PM-063 (advisory): every foreign key has an index leading with its columns."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-063", severity="minor", runbook="§3.4", tier="advisory",
                   remediation="CREATE INDEX CONCURRENTLY ON <child> (<the key's columns>) in a "
                               "new migration (non-transactional, one statement).")
def test_pm063_fk_covering_index(catalog):
    """A parent DELETE scans an unindexed child under lock (advisory, never blocking)."""
    catalog.assert_none("pm063_fk_covering_index.sql",
                        "foreign keys without a covering index")

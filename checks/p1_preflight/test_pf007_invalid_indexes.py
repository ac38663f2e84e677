"""PF-007: no invalid indexes before the window."""

import pytest

pytestmark = [pytest.mark.preflight, pytest.mark.postrollback]


@pytest.mark.check(id="PF-007", severity="major", runbook="§2.2",
                   remediation="DROP INDEX CONCURRENTLY the invalid index and rebuild it.")
def test_pf007_no_invalid_indexes(catalog):
    """An invalid index costs writes, helps no read, and hides a failed build."""
    catalog.assert_none("pf007_invalid_indexes.sql", "invalid indexes")

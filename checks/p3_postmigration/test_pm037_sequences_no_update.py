"""PM-037: the api role cannot UPDATE (setval) any sequence."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.acl]


@pytest.mark.check(id="PM-037", severity="major", runbook="§3.5",
                   remediation="REVOKE UPDATE ON SEQUENCE <s> FROM solvereign_api; GRANT USAGE "
                               "only where a default needs nextval.")
def test_pm037_sequences_no_update(catalog):
    """The api role cannot UPDATE (setval) any sequence."""
    catalog.assert_none("pm037_sequences_no_update.sql",
                        "sequences the api role can set")

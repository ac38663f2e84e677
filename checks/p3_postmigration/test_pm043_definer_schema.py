"""PM-043: every schema a definer function resolves names in (its own, its search_path's,
the ones its body names) is unwritable (CREATE) by PUBLIC and the runtime roles."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-043", severity="blocker", runbook="§3.4",
                   remediation="REVOKE CREATE ON SCHEMA <s> FROM PUBLIC, solvereign_api, "
                               "solvereign_platform (and from any group they belong to); drop "
                               "a search_path entry that names no schema.")
def test_pm043_definer_schema(catalog):
    """A definer's search_path is only as safe as the least protected schema it names."""
    catalog.assert_none("pm043_definer_schema.sql",
                        "definer functions resolving names in writable schemas")

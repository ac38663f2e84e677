"""PM-043: definer functions live in schemas where neither PUBLIC nor the api role can CREATE."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-043", severity="blocker", runbook="§3.4",
                   remediation="REVOKE CREATE ON SCHEMA <s> FROM PUBLIC, solvereign_api.")
def test_pm043_definer_schema(catalog):
    """Definer functions live in schemas where neither PUBLIC nor the api role can CREATE."""
    catalog.assert_none("pm043_definer_schema.sql",
                        "definer functions in writable schemas")

"""PM-071: verify_final_hardening() is the reviewed function of 025e, unaltered."""

import re

import pytest

from cutover.migrate.files import default_directory

pytestmark = [pytest.mark.postmigration, pytest.mark.security]
BODY = re.compile(r"verify_final_hardening\(\).*?AS \$fn\$(.*?)\$fn\$", re.S)
SEARCH_PATH = "search_path=pg_catalog, pg_temp"


@pytest.mark.check(id="PM-071", severity="blocker", runbook="§3.4",
                   remediation="Restore the function from 025e_final_hardening.sql (its body, "
                               "SET search_path, owner) and find out who changed it (an "
                               "always-PASS verifier hides everything).")
def test_pm071_verify_function_is_the_reviewed_one(catalog, evidence):
    """Its body, security, search_path and owner are those the migration gave it."""
    expected = BODY.search((default_directory() / "025e_final_hardening.sql").read_text())
    row = next(iter(catalog.rows("pm071_verify_function.sql")), None)
    assert expected, "025e_final_hardening.sql has no verify_final_hardening() body"
    assert row, "public.verify_final_hardening() does not exist"
    body, definer, owner, config, applied_by, appliers = row
    evidence.data.update(owner=owner, security_definer=definer, config=config,
                         applied_025e_by=applied_by)
    assert body == expected.group(1), "public.verify_final_hardening() differs from 025e"
    assert not definer, "public.verify_final_hardening() is SECURITY DEFINER"
    assert SEARCH_PATH in (config or []), (
        f"public.verify_final_hardening() runs with {config or 'the caller search_path'}, "
        f"not {SEARCH_PATH} (a caller's schema could shadow what it calls)")
    assert applied_by is None or appliers, (
        f"public.verify_final_hardening() is owned by {owner}, not by {applied_by} who applied "
        "025e or a role it acts as (its owner can replace it)")

"""PM-071: verify_final_hardening() is the reviewed function of 025e, unaltered."""

import re

import pytest

from cutover.migrate.files import default_directory

pytestmark = [pytest.mark.postmigration, pytest.mark.security]
BODY = re.compile(r"verify_final_hardening\(\).*?AS \$fn\$(.*?)\$fn\$", re.S)


@pytest.mark.check(id="PM-071", severity="blocker", runbook="§3.4",
                   remediation="Restore the function from 025e_final_hardening.sql and find out "
                               "who replaced it (an always-PASS verifier hides everything).")
def test_pm071_verify_function_is_the_reviewed_one(gate_db, evidence):
    """Its body, security and owner match the migration that created it."""
    expected = BODY.search((default_directory() / "025e_final_hardening.sql").read_text())
    row = gate_db.execute(
        "SELECT p.prosrc, p.prosecdef, pg_get_userbyid(p.proowner) FROM pg_proc p"
        " WHERE p.oid = 'public.verify_final_hardening()'::regprocedure").fetchone()
    assert expected, "025e_final_hardening.sql has no verify_final_hardening() body"
    evidence.data.update(owner=row[2] if row else None, security_definer=row[1] if row else None)
    assert row, "public.verify_final_hardening() does not exist"
    assert row[0] == expected.group(1), "public.verify_final_hardening() differs from 025e"
    assert not row[1], "public.verify_final_hardening() is SECURITY DEFINER"

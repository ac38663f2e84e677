"""PM-070: verify_final_hardening() reports every item PASS, and never PASS where the
independent checks find a failure."""

import pytest

from checks.p3_postmigration.runtime_allowlist import load_or_fail
from checks.p3_postmigration.verify_map import CROSS_CHECKS, KIND_FILTERS

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-070", severity="blocker", runbook="§3.4",
                   remediation="Fix what the failing rows name; if the function disagrees with "
                               "the gate, the function itself was altered: restore it from "
                               "the newest migration that defines it (PM-071 names it).")
def test_pm070_verify_final_hardening_agrees(gate_db, catalog, evidence):
    """The authoritative function is trusted only while the gate agrees with it."""
    rows = {r[0]: (r[1], r[2]) for r in
            gate_db.execute("SELECT * FROM public.verify_final_hardening()").fetchall()}
    evidence.data["function_rows"] = {k: v[0] for k, v in rows.items()}
    problems = [f"{name}: FAIL ({detail})" for name, (st, detail) in rows.items() if st != "PASS"]
    problems += [f"{name}: not reported by the function" for name in CROSS_CHECKS
                 if name not in rows]
    params = _params()
    for name, sqlfile in CROSS_CHECKS.items():
        found = catalog.rows(sqlfile, params.get(sqlfile))
        if name in KIND_FILTERS:
            found = [r for r in found if KIND_FILTERS[name](str(r[1]))]
        if rows.get(name, ("FAIL",))[0] == "PASS" and found:
            problems.append(f"{name}: function says PASS but {sqlfile} finds "
                            + ", ".join(str(r[0]) for r in found[:5]))
    evidence.offenders = problems
    assert not problems, "; ".join(problems)


def _params() -> dict[str, dict]:
    """The reviewed lists the parameterised cross-checks take, as their own checks pass them
    (the function carries the same lists, held equal by tests/hardening)."""
    allow = load_or_fail()
    return {"pm017_role_database_settings.sql": allow.setting_params(),
            "pm024_runtime_memberships.sql": allow.membership_params()}

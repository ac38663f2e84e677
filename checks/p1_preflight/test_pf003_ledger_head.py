"""PF-003: the ledger head is exactly the pre-cutover state; 025..025f present and pending."""

import pytest

from cutover.migrate.files import default_directory
from cutover.migrate.runner import load_plan

pytestmark = [pytest.mark.preflight, pytest.mark.security, pytest.mark.postrollback]
HARDENING = ("025", "025a", "025b", "025c", "025d", "025e", "025f")


@pytest.mark.dependency(name="PF-003", depends=["PF-001"], scope="session")
@pytest.mark.check(id="PF-003", severity="blocker", runbook="§2.3",
                   remediation="Reconcile the ledger with the release: restore edited files "
                               "from the tag, never edit an applied migration.")
def test_pf003_ledger_at_pre_cutover_head(gate_db, evidence):
    """No drift; head is the last baseline file; every hardening file present and pending."""
    plan = load_plan(gate_db, default_directory())
    baseline = [m.name for m in plan.files if m.version < "025"]
    pending = {m.version for m in plan.pending}
    evidence.data.update(head=plan.head, expected_head=baseline[-1] if baseline else None,
                         pending=sorted(pending))
    problems = list(plan.drift)
    if baseline and plan.head != baseline[-1]:
        problems.append(f"ledger head is {plan.head}, expected {baseline[-1]}")
    present = {m.version for m in plan.files}
    problems += [f"{v} missing from the migrations directory" for v in HARDENING
                 if v not in present]
    problems += [f"{v} is already applied" for v in HARDENING if v in plan.applied]
    evidence.offenders = problems
    assert not problems, "; ".join(problems)

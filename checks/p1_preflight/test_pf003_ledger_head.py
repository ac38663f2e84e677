"""PF-003: the ledger head is exactly the pre-cutover state; 025..025h present and pending.

After a rollback (`-m postrollback` with the backup's manifest) the expected head is the
backup's own ledger head, whatever it is: a backup taken at 025c restores to 025c, and only
the files after it must be pending.
"""

import pytest

from cutover.backup.manifest import load
from cutover.errors import ConfigError
from cutover.migrate.files import default_directory
from cutover.migrate.runner import load_plan

pytestmark = [pytest.mark.preflight, pytest.mark.security, pytest.mark.postrollback]
HARDENING = ("025", "025a", "025b", "025c", "025d", "025e", "025f", "025g", "025h")


def _expected_head(request, target, baseline: list[str]) -> tuple[str | None, str]:
    """(head, where the expectation comes from): the backup's manifest in a post-rollback
    run that names one, else the last baseline file."""
    markexpr = request.config.getoption("markexpr") or ""
    if "postrollback" in markexpr and target.backup_manifest is not None:
        try:
            return load(target.backup_manifest).ledger_head, "the backup's manifest"
        except ConfigError as exc:
            pytest.fail(str(exc), pytrace=False)
    return (baseline[-1] if baseline else None), "the last baseline file"


@pytest.mark.dependency(name="PF-003", depends=["PF-001"], scope="session")
@pytest.mark.check(id="PF-003", severity="blocker", runbook="§2.3",
                   remediation="Reconcile the ledger with the release: restore edited files "
                               "from the tag, never edit an applied migration.")
def test_pf003_ledger_at_pre_cutover_head(request, target, gate_db, evidence):
    """No drift; head is the expected one; every hardening file present, those after the
    head pending."""
    plan = load_plan(gate_db, default_directory())
    baseline = [m.name for m in plan.files if m.version < "025"]
    expected, source = _expected_head(request, target, baseline)
    pending = {m.version for m in plan.pending}
    evidence.data.update(head=plan.head, expected_head=expected, expected_from=source,
                         pending=sorted(pending))
    problems = list(plan.drift)
    if expected is not None and plan.head != expected:
        problems.append(f"ledger head is {plan.head}, expected {expected} ({source})")
    present = {m.version for m in plan.files}
    problems += [f"{v} missing from the migrations directory" for v in HARDENING
                 if v not in present]
    head_version = (expected or "").split("_", 1)[0]
    problems += [f"{v} is already applied" for v in HARDENING
                 if v in plan.applied and v > head_version]
    evidence.offenders = problems
    assert not problems, "; ".join(problems)

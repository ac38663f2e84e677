"""PM-001: the ledger is at the latest migration, with no drift and nothing pending."""

import pytest

from cutover.migrate.files import default_directory
from cutover.migrate.runner import load_plan

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.dependency(name="PM-001", scope="session")
@pytest.mark.check(id="PM-001", severity="blocker", runbook="§3.3",
                   remediation="Run the remaining migrations (cutover migrate) or restore the "
                               "edited file from the release tag; never edit an applied file.")
def test_pm001_ledger_at_latest(gate_db, evidence):
    """Every file applied, each with the checksum it has today."""
    plan = load_plan(gate_db, default_directory())
    evidence.data.update(head=plan.head, pending=[m.name for m in plan.pending])
    problems = plan.drift + [f"{m.name} is pending" for m in plan.pending]
    evidence.offenders = problems
    assert not problems, "; ".join(problems)

"""PM-202: two dry runs in separate processes give the same canonical plan hash."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.roster]


@pytest.mark.check(id="PM-202", severity="blocker", runbook="§5.1",
                   remediation="Pin the solver version, seed and worker count; remove "
                               "wall-clock limits (use deterministic time).")
def test_pm202_same_hash_twice(roster_dry_run, evidence):
    """A roster that changes between identical runs cannot be audited or reproduced."""
    assert "error" not in roster_dry_run, roster_dry_run.get("error")
    first, second = roster_dry_run["plan_sha256"], roster_dry_run["plan_sha256_second_run"]
    evidence.data.update(first=first, second=second)
    assert first == second, f"plan hashes differ: {first[:16]} vs {second[:16]}"

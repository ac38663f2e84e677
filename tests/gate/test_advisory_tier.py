"""The advisory tier: hazards are reported apart and never change the verdict."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from cutover.gate.verdict import ADVISORY, CheckResult, verdict
from tests.gate.scratch import run_pytest, scratch_checks


def r(outcome: str, severity: str = "blocker", tier: str = "gate") -> CheckResult:
    return CheckResult("X-001", severity, "t", outcome, tier=tier)


@pytest.mark.parametrize("results, expected", [
    ([r("passed"), r("failed", "minor", ADVISORY)], "PASS"),
    ([r("failed"), r("failed", "minor", ADVISORY)], "FAIL"),
    ([r("passed"), r("failed", "minor"), r("passed", "minor", ADVISORY)], "WARN"),
    ([r("failed", "minor", ADVISORY)], "WARN"),  # a run of advisories alone
    ([r("passed", "minor", ADVISORY)], "PASS"),
])
def test_advisories_never_change_the_verdict(results, expected):
    assert verdict(results) == expected


CHECKS = '''
import pytest
pytestmark = [pytest.mark.postmigration, pytest.mark.security]
@pytest.mark.check(id="ZZ-001", severity="blocker", remediation="r", runbook="§0")
def test_zz001_holds():
    assert sum([1, 1]) == 2
'''
ADVISORY_CHECK = '''
import pytest
pytestmark = [pytest.mark.postmigration, pytest.mark.security]
@pytest.mark.check(id="ZZ-002", severity="{severity}", remediation="r", runbook="§0",
                   tier="advisory")
def test_zz002_hazard():
    pytest.fail("1 hazards: core.t fk_x (no covering index)", pytrace=False)
'''


def _run(tmp_path: Path, severity: str) -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp_path / "gate.json"
    folder = scratch_checks(tmp_path, {
        "test_zz001_holds.py": CHECKS,
        "test_zz002_hazard.py": ADVISORY_CHECK.format(severity=severity)})
    proc = run_pytest(folder, "-q", "-p", "no:randomly", "--gate-result", str(out))
    return proc, json.loads(out.read_text()) if out.exists() else {}


def test_a_firing_advisory_is_listed_apart_and_the_gate_passes(tmp_path):
    proc, result = _run(tmp_path, "minor")
    assert proc.returncode == 0, proc.stdout
    assert result["verdict"] == "PASS" and result["counts"]["WARN"] == 0
    assert result["advisories"] == [{"check_id": "ZZ-002", "status": "WARN",
                                     "message": "1 hazards: core.t fk_x (no covering index)"}]
    assert {c["check_id"]: c["tier"] for c in result["checks"]} == {"ZZ-001": "gate",
                                                                   "ZZ-002": "advisory"}
    assert "advisories (never blocking" in proc.stdout
    assert "WARN ZZ-002 [advisory] 1 hazards: core.t fk_x" in proc.stdout


def test_an_advisory_must_be_minor(tmp_path):
    proc, _ = _run(tmp_path, "blocker")
    assert proc.returncode != 0
    assert "an advisory check has severity minor" in proc.stdout + proc.stderr

"""The roster gate and the sick-call drill against the sandbox database and its solver."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BROKEN = Path(__file__).with_name("broken_solver.py")


def _gate(db, artifacts: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO / "scripts/ci/wien_roster_gate.sh"), "--skip-routing",
                           "--dry-run", "--db-url", db.url(), "--artifacts-dir", str(artifacts)],
                          capture_output=True, text=True, env=db.env(**env), timeout=600,
                          check=False)


def _statuses(artifacts: Path) -> dict[str, str]:
    doc = json.loads((artifacts / "roster_gate_result.json").read_text())
    return {c["check_id"]: c["status"] for c in doc["checks"]}


def test_roster_gate_passes_on_the_pilot_week(make_platform, tmp_path):
    db = make_platform("latest")
    proc = _gate(db, tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert proc.stdout.rstrip().endswith("GATE STATUS: PASS")
    doc = json.loads((tmp_path / "roster_dry_run.json").read_text())
    assert doc["tenant"] == "wien_pilot" and doc["violation_count"] == 0
    assert doc["plan_sha256"] == doc["plan_sha256_second_run"]


@pytest.mark.parametrize("mode, failing", [
    ("violating", "PM-200"), ("uncovered", "PM-201"), ("nondeterministic", "PM-202"),
    ("stale", "PM-200")])
def test_each_roster_check_fails_alone(make_platform, tmp_path, mode, failing):
    db = make_platform("latest")
    proc = _gate(db, tmp_path,
                 SOLVEREIGN_SOLVER_COMMAND=f"{sys.executable} {BROKEN} {mode}")
    assert proc.returncode == 1 and "GATE STATUS: FAIL" in proc.stdout
    got = _statuses(tmp_path)
    assert got[failing] == "FAIL", (got, proc.stdout[-1500:])
    assert all(v == "PASS" for k, v in got.items() if k != failing), got


def _drill(db, *args: str, artifacts: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "scripts/run_sick_call_drill.py"),
                           "--dry-run", "--seed", "94", "--db-url", db.url(),
                           "--artifacts-dir", str(artifacts), *args],
                          capture_output=True, text=True, env=db.env(), timeout=600, check=False)


def test_sick_call_drill_passes(make_platform, tmp_path):
    db = make_platform("pre")
    proc = _drill(db, "--absent-drivers", "DRV001,DRV002,DRV003", "--tenant", "wien_pilot",
                  artifacts=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.rstrip().endswith("VERDICT: PASS")
    doc = json.loads((tmp_path / "ops_drill_sick_call.json").read_text())
    assert doc["failures"]["absent_drivers_hold_shifts"] == []
    assert doc["figures"]["churn"]["orphans_reassigned"] == doc["figures"]["churn"]["orphaned"]
    assert doc["plan_sha256"] == doc["plan_sha256_second_run"]


@pytest.mark.parametrize("args, message", [
    (("--absent-drivers", "DRV999", "--tenant", "wien_pilot"), "unknown driver id(s)"),
    (("--absent-drivers", "DRV001", "--tenant", "atlantis"), "tenant 'atlantis'"),
])
def test_sick_call_drill_bad_ids(make_platform, tmp_path, args, message):
    db = make_platform("pre")
    proc = _drill(db, *args, artifacts=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr

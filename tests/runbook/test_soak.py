"""The staging soak: determinism across iterations, and its FAIL when outputs drift."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BROKEN = REPO / "tests" / "roster_gate" / "broken_solver.py"


def _soak(tmp_path: Path, iterations: int, **env: str) -> tuple[subprocess.CompletedProcess, dict]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    proc = subprocess.run([str(REPO / "scripts/w02_staging_soak.sh"), "--iterations",
                           str(iterations), "--with-drills", "--artifacts-dir", str(tmp_path)],
                          capture_output=True, text=True, env={**base, **env}, timeout=900,
                          check=False, cwd=REPO)
    reports = sorted(tmp_path.glob("soak_*/soak_report.json"))
    return proc, json.loads(reports[-1].read_text()) if reports else {}


@pytest.mark.slow
def test_two_identical_iterations_are_deterministic(tmp_path):
    proc, report = _soak(tmp_path, 2)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert report["results"]["determinism"] == "PASS"
    assert report["results"]["fail_count"] == 0
    assert proc.stdout.rstrip().endswith("VERDICT: PASS")
    assert [r["rollback_drill"] for r in report["iterations"]] == [False, True]
    bundles = [Path(r["bundle"]) for r in report["iterations"]]
    assert [(b / "rollback_drill.json").exists() for b in bundles] == [False, True]
    unmasked = re.compile(r"[a-z]+://[^:/@\s\"]+:(?!\*\*\*@)[^@\s\"]+@")
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert not unmasked.search(path.read_text(errors="replace")), path


@pytest.mark.slow
def test_drifting_solver_fails_determinism(tmp_path):
    proc, report = _soak(tmp_path, 2, SOLVEREIGN_SOLVER_COMMAND=f"{sys.executable} {BROKEN} "
                                                               "drifting")
    assert proc.returncode == 1
    assert report["results"]["determinism"] == "FAIL"
    assert report["results"]["differing"] == ["roster_plan_sha256", "repair_plan_sha256"]
    assert report["results"]["fail_count"] == 0

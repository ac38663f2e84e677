"""Every entry point answers --version with the package version and the release it would
record, so an approver can tell which tool produced the evidence (no database needed)."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ENTRY_POINTS = [
    [str(BIN / "cutover")],
    [str(BIN / "cutover"), "watch"],
    [str(BIN / "cutover"), "migrate"],
    [sys.executable, "scripts/prod_preflight_check.py"],
    [sys.executable, "scripts/run_sick_call_drill.py"],
    ["./scripts/ci/security_gate.sh"],
    ["./scripts/ci/wien_roster_gate.sh"],
    ["./scripts/prod_cutover.sh"],
    ["./scripts/w02_staging_soak.sh"],
]


def _run(cmd: list[str], **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    environ.update(env, PATH=f"{BIN}:{os.environ['PATH']}")
    return subprocess.run([*cmd, "--version"], cwd=REPO, env=environ, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.parametrize("cmd", ENTRY_POINTS, ids=lambda c: " ".join(Path(p).name for p in c))
def test_every_entry_point_answers_version(cmd):
    proc = _run(cmd, SOLVEREIGN_RELEASE_SHA="a" * 40, SOLVEREIGN_RC_TAG="v1.0-rc1")
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip()
    assert metadata.version("solvereign-cutover") in line, line
    assert f"release {'a' * 40} from SOLVEREIGN_RELEASE_SHA, rc tag v1.0-rc1" in line, line


def test_a_malformed_release_is_named_not_a_crash():
    proc = _run([str(BIN / "cutover")], SOLVEREIGN_RELEASE_SHA="zz")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert "release unreadable: SOLVEREIGN_RELEASE_SHA: 'zz' is not a commit sha" in proc.stdout

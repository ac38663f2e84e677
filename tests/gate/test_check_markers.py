"""Collection refuses checks without metadata or with an id not in the file name."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.gate.scratch import run_pytest, scratch_checks

GOOD = '''
import pytest
pytestmark = [pytest.mark.preflight]
@pytest.mark.check(id="ZZ-001", severity="minor", remediation="r", runbook="§0")
def test_ok():
    assert sum([1, 1]) == 2
'''


def _collect(tmp_path: Path, name: str, body: str) -> subprocess.CompletedProcess:
    return run_pytest(scratch_checks(tmp_path, {name: body}), "--collect-only", "-q")


def test_well_formed_check_collects(tmp_path):
    proc = _collect(tmp_path, "test_zz001_ok.py", GOOD)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_missing_metadata_fails_collection(tmp_path):
    body = GOOD.replace(', remediation="r"', "")
    proc = _collect(tmp_path, "test_zz001_ok.py", body)
    assert proc.returncode != 0 and "check marker lacks remediation" in proc.stdout + proc.stderr


def test_id_not_in_file_name_fails_collection(tmp_path):
    proc = _collect(tmp_path, "test_zz002_other.py", GOOD)
    assert proc.returncode != 0
    assert "check id ZZ-001 is not in its file name" in proc.stdout + proc.stderr


def test_unknown_severity_fails_collection(tmp_path):
    proc = _collect(tmp_path, "test_zz001_ok.py", GOOD.replace('"minor"', '"critical"'))
    assert proc.returncode != 0 and "severity 'critical'" in proc.stdout + proc.stderr


DEPENDENT = '''
import pytest
pytestmark = [pytest.mark.preflight]


@pytest.mark.dependency(name="ZZ-001", scope="session")
@pytest.mark.check(id="ZZ-001", severity="blocker", remediation="r", runbook="§0")
def test_zz001_base():
    assert "base" == "broken", "the base property is broken"


@pytest.mark.dependency(depends=["ZZ-001"], scope="session")
@pytest.mark.check(id="ZZ-001", severity="blocker", remediation="r", runbook="§0")
def test_zz001_dependent():
    assert sum([1, 1]) == 2
'''


def test_blocker_skipped_for_a_failed_dependency_fails_the_verdict(tmp_path):
    out = tmp_path / "gate.json"
    proc = run_pytest(scratch_checks(tmp_path, {"test_zz001_dep.py": DEPENDENT}),
                      "-m", "preflight", "--gate-result", str(out))
    result = json.loads(out.read_text())
    dependent = next(c for c in result["checks"] if c["outcome"] == "skipped")
    assert "depends on" in dependent["message"] and dependent["status"] == "FAIL"
    assert result["verdict"] == "FAIL" and proc.returncode == 2
    assert proc.stdout.rstrip().splitlines()[-2].startswith("VERDICT: FAIL") or \
        "VERDICT: FAIL" in proc.stdout

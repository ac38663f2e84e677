"""The runbook's `pytest -m <phase>` typed at the repository root runs the gate (README.md);
the project's own tests run with `python3 dev.py test` and `pytest tests`."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _collected(*args: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", *args],
                          cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [line for line in proc.stdout.splitlines() if "::" in line]


@pytest.mark.parametrize("phase", ["preflight", "postmigration", "postrollback"])
def test_a_phase_marker_at_the_root_selects_the_gate_checks(phase):
    ids = _collected("-m", phase)
    assert ids and all(i.startswith("checks/") for i in ids), ids[:5]


def test_pytest_tests_runs_the_project_tests():
    ids = _collected("tests/gate/test_root_commands.py")
    assert any("test_pytest_tests_runs_the_project_tests" in i for i in ids)


def test_dev_py_test_names_the_tests_folder_unless_paths_are_given():
    spec = importlib.util.spec_from_file_location("dev", REPO / "dev.py")
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    assert dev._test_paths([]) == ["tests"]
    assert dev._test_paths(["-k", "junit", "-x"]) == ["tests", "-k", "junit", "-x"]
    named = ["tests/gate/test_root_commands.py::test_x", "-q"]
    assert dev._test_paths(named) == named

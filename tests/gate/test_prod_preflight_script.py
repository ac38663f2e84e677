"""`scripts/prod_preflight_check.py` as the runbook calls it, from anywhere on disk."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "prod_preflight_check.py"


def _preflight(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def pre(make_platform):
    return make_platform("pre")


def test_relative_artifacts_dir_is_the_callers(pre, tmp_path):
    """A relative --artifacts-dir lands under the caller's directory, not the repository's."""
    proc = _preflight(tmp_path, pre.env(), "--db-url", pre.url(), "--env", "development",
                      "--artifacts-dir", "window/artifacts")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert proc.stdout.rstrip().splitlines()[-1] == "VERDICT: PASS"
    result = json.loads((tmp_path / "window/artifacts/preflight_result.json").read_text())
    assert result["verdict"] == "PASS"
    assert not (REPO / "window").exists()


def test_the_verdict_is_printed_once_and_last(pre, tmp_path):
    """The gate's pytest leaves its VERDICT line to the script (issue 21.3: two identical
    lines read as two verdicts); its failing checks and summary still show above it."""
    proc = _preflight(tmp_path, pre.env(), "--db-url", pre.url(), "--env", "development",
                      "--artifacts-dir", "out")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    verdicts = [line for line in proc.stdout.splitlines() if "VERDICT:" in line]
    assert verdicts == ["VERDICT: PASS"], proc.stdout[-2000:]
    assert proc.stdout.rstrip().splitlines()[-1] == "VERDICT: PASS"
    assert "SOLVEREIGN gate" in proc.stdout  # the gate's own section is kept


def test_unreachable_server_is_a_fail_verdict_naming_the_target(pre, tmp_path):
    """An unreachable server is PF-001 failing (exit 2, VERDICT: FAIL), not a gate crash."""
    url = f"postgresql://gate:Pw7unreachable@127.0.0.1:{_closed_port()}/solvereign"
    proc = _preflight(tmp_path, pre.env(SOLVEREIGN_DB_URL=url), "--env", "development",
                      "--artifacts-dir", "out")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out[-3000:]
    assert proc.stdout.rstrip().splitlines()[-1] == "VERDICT: FAIL"
    result = json.loads((tmp_path / "out/preflight_result.json").read_text())
    pf001 = next(c for c in result["checks"] if c["check_id"] == "PF-001")
    assert pf001["status"] == "FAIL"
    assert "cannot reach" in pf001["message"] and "127.0.0.1" in pf001["message"]
    assert "Pw7unreachable" not in out + json.dumps(result)
    assert "Traceback" not in out


def test_bad_input_is_one_line_and_exit_2(pre, tmp_path):
    proc = _preflight(tmp_path, pre.env(), "--db-url", "mysql://x@h/d", "--env", "development")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "postgresql://" in proc.stderr
    proc = _preflight(tmp_path, pre.env(), "--db-url", pre.url(), "--env", "prod")
    assert proc.returncode == 2 and "--env must be one of" in proc.stderr

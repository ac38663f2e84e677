"""Every JSON evidence file records the tool and version that wrote it (issue 21.2): an
approver holding a bundle, a backup manifest or a last-known-good file can tell which
build produced it. The writers stamp it in one place (release.stamped); a whole rehearsal
bundle is checked in tests/report/test_evidence_tool_version.py."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from cutover import atomicfile
from cutover.approval import lkg
from cutover.evidence import files
from cutover.gate.sarif import to_sarif

TOOL = {"name": "solvereign-cutover", "version": metadata.version("solvereign-cutover")}


def test_the_evidence_writer_records_the_tool_and_replaces_an_earlier_writers(tmp_path):
    path = tmp_path / "enable_record.json"
    files.write_json(path, {"verdict": "PASS", "tool": {"name": "x", "version": "0.0.1"}})
    assert json.loads(path.read_text()) == {"verdict": "PASS", "tool": TOOL}


def test_an_array_keeps_its_format(tmp_path):
    """security_events.json is an array (docs/artifacts.md): no room for a field."""
    path = tmp_path / "security_events.json"
    files.write_json(path, [{"event": "login_failed"}])
    assert json.loads(path.read_text()) == [{"event": "login_failed"}]


def test_the_durable_writer_records_it_and_last_known_good_still_reads(tmp_path):
    """atomicfile writes the backup manifest beside the dump and the last-known-good file."""
    record = lkg.LastKnownGood(
        rollback_sha="a" * 40, rc_tag="v1-rc1", timestamp="2026-12-07T09:00:00+00:00",
        ledger_head="025f", backup={"path": "/b/x.dump", "sha256": "b" * 64},
        evidence_bundle={"path": "/e", "summary_sha256": "c" * 64})
    path = lkg.write(record, tmp_path / "last-known-good.json")
    assert json.loads(path.read_text())["tool"] == TOOL
    assert lkg.read(path) == record  # the added field is no part of the record's contract
    atomicfile.write_json(tmp_path / "m.json", {"dump": {}})
    assert json.loads((tmp_path / "m.json").read_text())["tool"] == TOOL


def test_sarif_records_it_in_its_own_driver_field(tmp_path):
    """SARIF's schema has its own place for the tool; nothing is added beside `runs`."""
    path = tmp_path / "gate.sarif"
    files.write_json(path, to_sarif({"verdict": "PASS", "checks": []}), stamp=False)
    doc = json.loads(path.read_text())
    assert "tool" not in doc
    assert doc["runs"][0]["tool"]["driver"]["version"] == TOOL["version"]


def test_every_pytest_runs_report_json_records_it(tmp_path):
    """reports/<run-id>/report.json (pytest-json-report) carries it too."""
    repo = Path(__file__).resolve().parents[2]
    run_id = f"tool-{secrets.token_hex(4)}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", f"{Path(__file__)}::test_an_array_keeps_its_format",
         "-q", "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "t")],
        cwd=repo, env={**env, "SOLVEREIGN_RUN_ID": run_id}, capture_output=True, text=True,
        timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:]
    report = repo / "reports" / run_id / "report.json"
    assert json.loads(report.read_text())["tool"] == TOOL

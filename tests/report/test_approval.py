"""Approval (runbook §6) and the enable gate that depends on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from cutover import approval, evidence
from tests.report.test_evidence_report import SECRET, _bundle


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    base["SOLVEREIGN_HMAC_SECRET"] = SECRET
    return subprocess.run([sys.executable, "-m", "cutover.cli", *args], capture_output=True,
                          text=True, env={**base, **env}, timeout=60, check=False)


def test_approval_of_a_passing_bundle(tmp_path):
    folder = _bundle(tmp_path / "b")
    proc = _cli("approve", "--artifacts-dir", str(folder), "--approver", "Jane Doe")
    assert proc.returncode == 0, proc.stderr
    assert "PASS    verify_final_hardening() all PASS" in proc.stdout
    record = json.loads((folder / approval.RECORD).read_text())
    assert record["approver"] == "Jane Doe" and record["rc_tag"] == "v1.4.0-rc1"
    assert record["auto_approved"] is False and len(record["summary_sha256"]) == 64
    assert evidence.verify(folder, SECRET).ok  # re-sealed with the record inside
    assert approval.require_approval(folder, SECRET)["approver"] == "Jane Doe"


def test_approval_refused_for_a_failed_blocker(tmp_path):
    folder = _bundle(tmp_path / "b", hardening_ok=False)
    proc = _cli("approve", "--artifacts-dir", str(folder), "--approver", "Jane")
    assert proc.returncode == 1
    assert ("blockers not PASS: verify_final_hardening() all PASS (§3.4) "
            "[FAIL: 1 of 1 FAIL: rls_forced]") in proc.stderr
    assert not (folder / approval.RECORD).exists()


def test_approval_refused_for_a_missing_blocker_artifact(tmp_path):
    folder = _bundle(tmp_path / "b")
    (folder / "acl_scan_report.json").unlink()
    evidence.seal(folder, SECRET)
    with pytest.raises(approval.ApprovalRefused, match=r"ACL scan empty .*\[MISSING"):
        approval.approve(folder, "Jane", SECRET)


def test_approval_refused_for_a_tampered_bundle(tmp_path):
    folder = _bundle(tmp_path / "b")
    (folder / "health_check.json").write_text('{"verdict": "PASS", "note": "edited"}')
    proc = _cli("approve", "--artifacts-dir", str(folder), "--approver", "Jane")
    assert proc.returncode == 1 and "changed: health_check.json" in proc.stderr


def test_enable_is_refused_without_approval(tmp_path):
    folder = _bundle(tmp_path / "b")
    proc = _cli("enable", "--no-verify", "--artifacts-dir", str(folder),
                SOLVEREIGN_CONFIG_STORE_FILE=str(tmp_path / "s.json"))
    assert proc.returncode == 1 and "no approval_record.json" in proc.stderr
    assert not (tmp_path / "s.json").exists()  # nothing was switched


def test_enable_with_approval_and_after_a_change(tmp_path):
    folder = _bundle(tmp_path / "b")
    approval.approve(folder, "Jane", SECRET)
    store = str(tmp_path / "s.json")
    ok = _cli("enable", "--no-verify", "--artifacts-dir", str(folder),
              SOLVEREIGN_CONFIG_STORE_FILE=store)
    assert ok.returncode == 0, ok.stderr
    assert json.loads((folder / "enable_record.json").read_text())["approval"] == {
        "approved_by": "Jane", "bundle": str(folder)}
    (folder / "roster_dry_run.json").write_text("{}")
    again = _cli("enable", "--no-verify", "--artifacts-dir", str(folder),
                 SOLVEREIGN_CONFIG_STORE_FILE=store)
    assert again.returncode == 1 and "changed since" in again.stderr


def test_enable_override_is_recorded(tmp_path):
    proc = _cli("enable", "--no-verify", "--artifacts-dir", str(tmp_path / "a"),
                "--override-approval", "incident 4711: approver unreachable",
                SOLVEREIGN_CONFIG_STORE_FILE=str(tmp_path / "s.json"))
    assert proc.returncode == 0, proc.stderr
    record = json.loads((tmp_path / "a" / "enable_record.json").read_text())
    assert record["approval"] == {"override": "incident 4711: approver unreachable"}

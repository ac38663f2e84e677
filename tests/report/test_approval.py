"""Approval (runbook §6) and the enable gate that depends on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from cutover import release
from cutover.approval import record as approval
from cutover.evidence import bundle
from tests.evidence.keys import key, key_env
from tests.report.test_evidence_report import _bundle


def _bound(make_platform, tmp_path):
    """A passing bundle whose artifacts name a real database (approve and enable bind to
    it, issue 24) and that database's URL, for the commands that re-read it."""
    from tests.binding.helpers import bound_bundle

    db = make_platform("latest")
    folder, _ = bound_bundle(tmp_path / "b", db)
    return folder, db.url()


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    base.update(key_env())
    return subprocess.run([sys.executable, "-m", "cutover.cli", *args], capture_output=True,
                          text=True, env={**base, **env}, timeout=60, check=False)


def test_approval_of_a_passing_bundle(make_platform, tmp_path):
    folder, url = _bound(make_platform, tmp_path)
    proc = _cli("approve", "--artifacts-dir", str(folder), "--approver", "Jane Doe",
                SOLVEREIGN_DB_URL=url)
    assert proc.returncode == 0, proc.stderr
    assert "PASS    verify_final_hardening() all PASS" in proc.stdout
    record = json.loads((folder / approval.RECORD).read_text())
    assert record["approver"] == "Jane Doe" and record["rc_tag"] == "v1.4.0-rc1"
    assert record["auto_approved"] is False and len(record["summary_sha256"]) == 64
    assert bundle.verify(folder, key()).ok  # re-sealed with the record inside
    assert approval.require_approval(folder, key())["approver"] == "Jane Doe"


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
    bundle.seal(folder, key())
    with pytest.raises(approval.ApprovalRefused, match=r"ACL scan empty .*\[MISSING"):
        approval.approve(folder, "Jane", key())


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


def test_enable_with_approval_and_after_a_change(make_platform, tmp_path):
    folder, url = _bound(make_platform, tmp_path)
    approval.approve(folder, "Jane", key())
    store = str(tmp_path / "s.json")
    ok = _cli("enable", "--no-verify", "--artifacts-dir", str(folder),
              SOLVEREIGN_DB_URL=url, SOLVEREIGN_CONFIG_STORE_FILE=store)
    assert ok.returncode == 0, ok.stderr
    granted = json.loads((folder / "enable_record.json").read_text())["approval"]
    assert granted["approved_by"] == "Jane" and granted["bundle"] == str(folder)
    assert granted["target"] == json.loads((folder / approval.RECORD).read_text())["target"]
    (folder / "roster_dry_run.json").write_text("{}")
    again = _cli("enable", "--no-verify", "--artifacts-dir", str(folder),
                 SOLVEREIGN_DB_URL=url, SOLVEREIGN_CONFIG_STORE_FILE=store)
    assert again.returncode == 1 and "changed since" in again.stderr


def test_enable_override_is_recorded(tmp_path):
    proc = _cli("enable", "--no-verify", "--artifacts-dir", str(tmp_path / "a"),
                "--override-approval", "incident 4711: approver unreachable",
                SOLVEREIGN_CONFIG_STORE_FILE=str(tmp_path / "s.json"))
    assert proc.returncode == 0, proc.stderr
    record = json.loads((tmp_path / "a" / "enable_record.json").read_text())
    assert record["approval"] == {"override": "incident 4711: approver unreachable"}


def test_enable_reseals_the_bundle_so_it_still_verifies(make_platform, tmp_path):
    """enable_record.json goes into the bundle and the bundle is re-sealed: it verifies, the
    approval still holds, and enabling again is a no-op that is allowed."""
    folder, url = _bound(make_platform, tmp_path)
    approval.approve(folder, "Jane", key())
    store = str(tmp_path / "s.json")
    for _ in range(2):
        proc = _cli("enable", "--no-verify", "--artifacts-dir", str(folder),
                    SOLVEREIGN_DB_URL=url, SOLVEREIGN_CONFIG_STORE_FILE=store)
        assert proc.returncode == 0, proc.stderr
        verified = _cli("evidence", "verify", str(folder))
        assert verified.returncode == 0, verified.stdout + verified.stderr
    summary = bundle.load_summary(folder)
    assert summary["writes_enabled"]["approval"]["approved_by"] == "Jane"
    assert "enable_record.json" in summary["artifacts"]


def test_enable_override_without_a_folder_is_still_recorded(tmp_path):
    base = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    proc = subprocess.run(
        [sys.executable, "-m", "cutover.cli", "enable", "--no-verify",
         "--override-approval", "incident 4712"], cwd=tmp_path, capture_output=True, text=True,
        env={**base, **key_env(),
             "SOLVEREIGN_CONFIG_STORE_FILE": str(tmp_path / "s.json")}, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    (record,) = (tmp_path / "artifacts").glob("enable_*/enable_record.json")
    assert json.loads(record.read_text())["approval"] == {"override": "incident 4712"}
    assert f"recorded in {record.relative_to(tmp_path)}" in proc.stdout


def _realistic_manifest(folder):
    database = json.loads((folder / "backup_manifest.json").read_text()).get("database")
    (folder / "backup_manifest.json").write_text(json.dumps({"database": database,
        "path": "/backups/solvereign_pre_cutover_20261128T020100Z.dump",
        "dump": {"file": "solvereign_pre_cutover_20261128T020100Z.dump", "sha256": "ab" * 32},
        "ledger_head": "024_table_classification", "verified": True}))
    bundle.seal(folder, key())


def test_last_known_good_from_an_approved_enabled_bundle(make_platform, tmp_path):
    folder, url = _bound(make_platform, tmp_path)
    _realistic_manifest(folder)
    record = approval.approve(folder, "Jane", key())
    lkg_file = tmp_path / "state" / "last-known-good.json"
    early = _cli("last-known-good", "--artifacts-dir", str(folder), "--lkg-file", str(lkg_file),
                   SOLVEREIGN_DB_URL=url)
    assert early.returncode == 2 and "has no enable_record.json" in early.stderr
    assert not lkg_file.exists()
    enabled = _cli("enable", "--no-verify", "--artifacts-dir", str(folder),
                   SOLVEREIGN_DB_URL=url, SOLVEREIGN_CONFIG_STORE_FILE=str(tmp_path / "s.json"))
    assert enabled.returncode == 0, enabled.stderr
    proc = _cli("last-known-good", "--artifacts-dir", str(folder), "--lkg-file", str(lkg_file),
                   SOLVEREIGN_DB_URL=url)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"LAST-KNOWN-GOOD: {record.commit} (v1.4.0-rc1")
    from cutover.approval import lkg
    written = lkg.read(lkg_file)
    assert written.rollback_sha == record.commit and written.ledger_head == "025f_acl_fix"
    assert written.backup == {"path": "/backups/solvereign_pre_cutover_20261128T020100Z.dump",
                              "sha256": "ab" * 32}
    assert written.evidence_bundle["summary_sha256"] == record.summary_sha256
    assert json.loads((folder / "last_known_good.json").read_text()) == \
        {**written.to_json(), "tool": release.tool()}
    assert bundle.verify(folder, key()).ok
    assert approval.require_approval(folder, key())["approver"] == "Jane"


def test_last_known_good_refuses_a_changed_bundle(make_platform, tmp_path):
    folder, url = _bound(make_platform, tmp_path)
    _realistic_manifest(folder)
    approval.approve(folder, "Jane", key())
    (folder / "roster_dry_run.json").write_text("{}")
    proc = _cli("last-known-good", "--artifacts-dir", str(folder),
                "--lkg-file", str(tmp_path / "lkg.json"), SOLVEREIGN_DB_URL=url)
    assert proc.returncode == 1 and "changed: roster_dry_run.json" in proc.stderr
    assert not (tmp_path / "lkg.json").exists()

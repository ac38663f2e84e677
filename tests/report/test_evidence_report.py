"""The evidence report, opened in headless Chromium: verdict, checklist, no network at all."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from cutover.approval import checklist
from cutover.evidence import bundle, report
from tests.evidence.keys import key

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def _bundle(folder: Path, hardening_ok: bool = True) -> Path:
    folder.mkdir()
    docs = {
        "preflight_result.json": {"verdict": "PASS", "counts": {"PASS": 8}},
        "freeze_record.json": {"writes_disabled": True, "verified": True,
                               "proven_at": "2026-11-28T02:01:00+00:00"},
        "backup_manifest.json": {"verified": True, "sha256": "ab" * 32, "path": "b.dump"},
        "migration_log.json": {"verdict": "PASS", "head": "025f_acl_fix"},
        "verify_hardening.json": {"rows": [{"check_name": "rls_forced",
                                            "status": "PASS" if hardening_ok else "FAIL",
                                            "details": ""}]},
        "acl_scan_report.json": {"findings": []},
        "security_gate_result.json": {"verdict": "PASS", "checks": [
            {"check_id": "PM-010", "severity": "blocker", "status": "PASS",
             "title": "RLS forced <script>alert(1)</script>", "remediation": "FORCE RLS"}]},
        "health_check.json": {"verdict": "PASS"},
        "auth_separation_test.json": {"verdict": "PASS"},
        "roster_dry_run.json": {"verdict": "PASS", "plan_sha256": "cd" * 32,
                                "figures": {"uncovered": 3, "violations": 0}},
        "ops_drill_sick_call.json": {"verdict": "PASS", "figures": {"churn": 0}},
    }
    for name, doc in docs.items():
        (folder / name).write_text(json.dumps(doc))
    phases = {"freeze": {"started": "2026-11-28T02:00:00+00:00",
                         "finished": "2026-11-28T02:01:00+00:00"},
              "migrate": {"started": "2026-11-28T02:03:00+00:00",
                          "finished": "2026-11-28T02:04:30+00:00"}}
    bundle.seal(folder, key(), verdict="PASS" if hardening_ok else "FAIL", rc_tag="v1.4.0-rc1",
                  phases=phases, writes_disabled={"from": "2026-11-28T02:00:30+00:00",
                                                  "to": "2026-11-28T02:04:30+00:00",
                                                  "seconds": 240})
    return folder


def test_checklist_judges_every_item(tmp_path):
    judged = checklist.judge(_bundle(tmp_path / "b"))
    assert [j.status for j in judged] == ["PASS"] * len(checklist.ITEMS)
    failing = checklist.judge(_bundle(tmp_path / "c", hardening_ok=False))
    assert [j.item.key for j in failing if j.blocking] == ["hardening"]


def test_page_is_self_contained_and_escapes(tmp_path):
    page = report.render(_bundle(tmp_path / "b"), key())
    assert "<script>alert(1)</script>" not in page
    for needle in ("http://", "https://", "src=", "@import", "url("):
        assert needle not in page
    assert "this page is signed with the bundle" in page  # no self-attested verdict


def test_report_does_not_change_the_bundle(tmp_path):
    folder = _bundle(tmp_path / "b")
    report.write(folder, key())
    assert bundle.verify(folder, key()).ok


def test_report_in_headless_chromium(tmp_path):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("chromium not installed on this machine")
    sync_api = pytest.importorskip("playwright.sync_api")
    folder = _bundle(tmp_path / "prod_cutover_20261128T020000Z")
    page_path = report.write(folder, key())
    requests: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1600})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_path.as_uri())
        page.wait_for_load_state("networkidle")
        verdict = page.inner_text("#verdict")
        rows = page.locator("h2:has-text('checklist') + table tr").count()
        (REPO / "reports").mkdir(exist_ok=True)
        page.screenshot(path=str(REPO / "reports" / "evidence_report.png"), full_page=True)
        browser.close()
    assert verdict == "VERDICT: PASS"
    assert rows == len(checklist.ITEMS) + 1  # header row
    assert requests == [page_path.as_uri()], f"the page made requests: {requests}"

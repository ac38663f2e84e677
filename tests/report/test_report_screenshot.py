"""report.html of a real rehearsal, read in headless Chromium at a desktop and a phone width
(issue 21.5): every check of every phase with its verdict, the drills, human wording, a
timeline whose labels never overlap, nothing wider than a phone's screen."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from cutover.evidence.html_text import status_of
from tests.report.test_evidence_report import CHROMIUM, CHROMIUM_FLAGS

pytestmark = pytest.mark.slow

WIDTHS = {"desktop": 1280, "phone": 390}
PYTHON_WORDS = {"None", "True", "False"}
CHECK_ID = re.compile(r"^[A-Z]{2}-\d{3}$")


def _recorded_checks(bundle: Path) -> set[tuple[str, str, str]]:
    """(artifact, id, verdict) of every check any JSON document of the bundle records:
    the gate results' lists, the auth test's map, the drills' {name, ok} lists and
    verify_final_hardening()'s rows."""
    found: set[tuple[str, str, str]] = set()
    for path in sorted(bundle.glob("*.json")):
        doc = json.loads(path.read_text())
        if not isinstance(doc, dict):
            continue
        for field in ("checks", "rows", "restored"):
            entries = doc.get(field)
            if isinstance(entries, dict):
                entries = [{"check_id": k, **(v if isinstance(v, dict) else {"ok": v})}
                           for k, v in entries.items()]
            for e in entries if isinstance(entries, list) else []:
                if not isinstance(e, dict):
                    continue
                ident = e.get("check_id") or e.get("check_name") or e.get("name")
                raw = e["status"] if "status" in e else e.get("ok")
                if ident:
                    found.add((path.name, str(ident), status_of(raw)))
    return found


def _browser_page(p, width: int):
    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
    return browser, browser.new_page(viewport={"width": width, "height": 900})


_SHOWN_CHECKS = """() => [...document.querySelectorAll('tr.check')].map(tr => [
    tr.dataset.artifact, tr.querySelector('.id').innerText.trim(),
    tr.querySelector('td.status').innerText.trim(), tr.dataset.check, tr.dataset.status])"""
_TEXT_NODES = """() => { const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const out = []; while (w.nextNode()) out.push(w.currentNode.nodeValue.trim()); return out; }"""
_LABEL_BOXES = """() => [...document.querySelectorAll('.timeline .label')].map(e => {
    const r = e.getBoundingClientRect(); return [e.innerText, r.left, r.top, r.right, r.bottom];
})"""
#: every run of text between two allowed break points (a space, or after / _ . - = , : @ ? & – —,
#: or a <wbr>, which ends the text node) must sit on one line: a run over two lines was
#: broken in the middle of a word
_MID_WORD = r"""() => {
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), out = [];
    const run = /[^\s\/_.\-=,:@?&–—]+[\/_.\-=,:@?&–—]?/g;
    while (w.nextNode()) {
        const node = w.currentNode, text = node.nodeValue;
        for (const m of text.matchAll(run)) {
            if (m[0].length < 2) continue;
            const r = document.createRange();
            r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
            const tops = new Set([...r.getClientRects()].filter(x => x.width > 0)
                                 .map(x => Math.round(x.top)));
            if (tops.size > 1) out.push(m[0]);
        }
    }
    return out;
}"""
_OVERFLOWING = """(width) => [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5);
}).map(e => e.tagName + '.' + e.className + ': ' + (e.innerText || '').slice(0, 60))"""


def _overlaps(boxes: list) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]:
                out.append((a[0], b[0]))
    return out


@pytest.fixture(scope="module")
def chromium():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("chromium not installed on this machine")
    return pytest.importorskip("playwright.sync_api")


@pytest.mark.parametrize("device", list(WIDTHS))
def test_the_rehearsal_report_in_chromium(chromium, rehearsal_bundle, device, tmp_path):
    width = WIDTHS[device]
    page_path = rehearsal_bundle / "report.html"
    with chromium.sync_playwright() as p:
        browser, page = _browser_page(p, width)
        page.goto(page_path.as_uri())
        page.wait_for_load_state("load")
        shown = page.evaluate(_SHOWN_CHECKS)
        texts = page.evaluate(_TEXT_NODES)
        labels = page.evaluate(_LABEL_BOXES)
        overflowing = page.evaluate(_OVERFLOWING, width)
        broken = page.evaluate(_MID_WORD)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(tmp_path / f"report_{device}_{width}px.png"), full_page=True)
        browser.close()

    recorded = _recorded_checks(rehearsal_bundle)
    assert {r[1] for r in recorded if CHECK_ID.match(r[1])} >= {
        "PF-001", "PF-013", "PM-010", "PM-100", "PM-101", "PM-107", "PM-200", "PR-001"}
    assert {r[0] for r in recorded} >= {"rollback_drill.json", "aftermath_drill.json",
                                       "verify_hardening.json", "roster_gate_result.json"}
    visible = {(a, ident, verdict) for a, ident, verdict, _, _ in shown}
    missing = sorted(recorded - visible)
    assert not missing, f"checks of the bundle not shown with their verdict: {missing[:20]}"
    assert all(ident == data_id and verdict == data_status
               for _, ident, verdict, data_id, data_status in shown)

    python = sorted({t for t in texts if t in PYTHON_WORDS})
    assert not python, f"Python values shown as text: {python}"

    assert len(labels) == len(json.loads(
        (rehearsal_bundle / "cutover_summary.json").read_text())["phases"])
    assert not _overlaps(labels), f"timeline labels overlap: {_overlaps(labels)}"

    assert not broken, f"words broken mid-word: {broken[:10]}"

    if device == "phone":
        assert scroll_width <= width, f"the page scrolls sideways: {scroll_width} px"
        assert not overflowing, f"wider than the screen: {overflowing[:10]}"
    assert (tmp_path / f"report_{device}_{width}px.png").stat().st_size > 0

"""report.html is covered by the seal: rendered from the sealed summary, then signed with
the bundle, so a page edited or removed afterwards is named by `cutover evidence verify`."""

from __future__ import annotations

import subprocess
import sys

from cutover.evidence import bundle, report
from tests.evidence.keys import _pair, key, public_key
from tests.report.test_evidence_report import _bundle

REPORT = report.REPORT


def _sealed_with_report(tmp_path):
    folder = _bundle(tmp_path / "b")
    bundle.seal(folder, key(), report=True)
    return folder


def _subjects(folder) -> set[str]:
    subjects, problem = bundle._signed_subjects(folder, public_key())
    assert problem == ""
    return set(subjects)


def test_the_seal_signs_the_report(tmp_path):
    folder = _sealed_with_report(tmp_path)
    assert (folder / REPORT).is_file() and REPORT in _subjects(folder)
    assert REPORT not in bundle.load_summary(folder)["artifacts"]  # rendered from it
    result = bundle.verify(folder, public_key())
    assert result.ok and result.uncovered == []


def test_an_edited_report_is_named(tmp_path):
    folder = _sealed_with_report(tmp_path)
    page = (folder / REPORT).read_text()
    (folder / REPORT).write_text(page.replace("VERDICT: PASS", "VERDICT: PASS (edited)"))
    result = bundle.verify(folder, public_key())
    assert not result.ok and result.changed == [REPORT]
    proc = subprocess.run([sys.executable, "-m", "cutover.cli", "evidence", "verify",
                           str(folder), "--public-key", str(_pair()[1])],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and f"changed: {REPORT}" in proc.stdout


def test_a_removed_report_is_named(tmp_path):
    folder = _sealed_with_report(tmp_path)
    (folder / REPORT).unlink()
    assert bundle.verify(folder, public_key()).removed == [REPORT]


def test_re_rendering_a_sealed_bundle_keeps_the_signed_bytes(tmp_path):
    folder = _sealed_with_report(tmp_path)
    before = (folder / REPORT).read_bytes()
    report.write(folder, public_key())
    assert (folder / REPORT).read_bytes() == before
    assert bundle.verify(folder, public_key()).ok


def test_a_later_seal_re_renders_and_re_signs_the_report(tmp_path):
    folder = _sealed_with_report(tmp_path)
    (folder / "enable_record.json").write_text("{}")
    assert bundle.add_to_bundle(folder, key(), ["enable_record.json"]) == []
    assert bundle.verify(folder, public_key()).ok and REPORT in _subjects(folder)


def test_a_page_rendered_after_sealing_is_reported_as_not_signed(tmp_path):
    folder = _bundle(tmp_path / "b")  # sealed without a report
    report.write(folder)
    result = bundle.verify(folder, public_key())
    assert result.ok and result.uncovered == [REPORT]
    proc = subprocess.run([sys.executable, "-m", "cutover.cli", "evidence", "verify",
                           str(folder), "--public-key", str(_pair()[1])],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and f"note: {REPORT} was rendered after" in proc.stdout

"""Verdict rules: what makes PASS, WARN and FAIL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cutover.errors import ConfigError
from cutover.gate import waivers
from cutover.gate.verdict import CheckResult, verdict


def r(outcome: str, severity: str = "blocker", message: str = "") -> CheckResult:
    return CheckResult("X-001", severity, "t", outcome, message)


@pytest.mark.parametrize("results, expected", [
    ([r("passed")], "PASS"),
    ([r("waived")], "PASS"),
    ([r("passed"), r("failed", "minor")], "WARN"),
    ([r("passed"), r("failed", "major")], "FAIL"),
    ([r("passed"), r("failed")], "FAIL"),
    ([r("skipped", message="not verified: production")], "WARN"),
    ([r("skipped", message="X-002 depends on PF-001")], "FAIL"),
    ([r("skipped", "major", message="X-002 depends on PF-001")], "WARN"),
    ([r("passed"), r("skipped", message="not applicable: no API URL")], "PASS"),
    ([r("skipped", message="not applicable: no API URL")], "FAIL"),  # nothing verified
    ([], "FAIL"),
])
def test_verdict(results, expected):
    assert verdict(results) == expected


def test_waiver_file_and_expiry(tmp_path):
    f = tmp_path / "w.toml"
    today = date.today()
    f.write_text(f"""
[[waiver]]
check = "PM-020"
object = "core.sites"
reason = "legacy read model, removed in 026"
approver = "jane"
created = {today.isoformat()}
expires = {(today + timedelta(days=3)).isoformat()}

[[waiver]]
check = "PM-020"
object = "core.users"
reason = "old"
approver = "joe"
created = {(today - timedelta(days=20)).isoformat()}
expires = {(today - timedelta(days=1)).isoformat()}
""")
    ws = waivers.load(f)
    assert waivers.covering(ws, "PM-020", "core.sites", today, "major")
    assert waivers.covering(ws, "PM-020", "core.users", today, "major") is None  # expired
    assert waivers.covering(ws, "PM-021", "core.sites", today) is None


@pytest.mark.parametrize("text, message", [
    ("[[waiver]]\ncheck='A'\n", "lacks object, reason, approver, created, expires"),
    ("not toml [", "not valid TOML"),
    ("[[waiver]]\ncheck='A'\nobject='o'\nreason='r'\napprover='a'\ncreated=2026-01-01\n"
     "expires='soon'\n", "expires is not a date"),
])
def test_malformed_waivers(tmp_path, text, message):
    f = tmp_path / "w.toml"
    f.write_text(text)
    with pytest.raises(ConfigError, match=message):
        waivers.load(f)

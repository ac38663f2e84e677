"""Waivers cannot hide a blocker, nor last for years (issue 24.2).

Policy: a waiver expires at most 90 days after its `created` date (refused at load, one
line); a blocker is waived only when the waiver also names a second approver; every
waiver applied is listed in the verdict document and on the terminal.
"""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest

from cutover.errors import ConfigError
from cutover.gate import waivers
from tests.platform import run_gate, statuses

PREFLIGHT = "checks/p1_preflight"
TODAY = date.today()


def _file(tmp_path, body: str):
    path = tmp_path / "waivers.toml"
    path.write_text(body)
    return path


def _entry(check: str, obj: str, *, created: date = TODAY, days: int = 30,
           second: str | None = None) -> str:
    extra = f'second_approver = "{second}"\n' if second else ""
    return (f'[[waiver]]\ncheck = "{check}"\nobject = """{obj}"""\nreason = "known"\n'
            f'approver = "Jane Doe"\n{extra}created = {created.isoformat()}\n'
            f"expires = {(created + timedelta(days=days)).isoformat()}\n\n")


def test_expiry_in_the_year_9999_is_refused_at_load(tmp_path):
    path = _file(tmp_path, '[[waiver]]\ncheck = "PM-010"\nobject = "core.x"\nreason = "r"\n'
                           f'approver = "a"\ncreated = {TODAY}\nexpires = 9999-12-31\n')
    with pytest.raises(ConfigError) as exc:
        waivers.load(path)
    assert str(exc.value).count("\n") == 0
    assert "PM-010 core.x" in str(exc.value) and "more than 90 days" in str(exc.value)


@pytest.mark.parametrize("body, message", [
    (_entry("A", "o", created=TODAY + timedelta(days=5)), "is in the future"),
    (_entry("A", "o", days=91), "more than 90 days"),
    (_entry("A", "o", days=-1), "before it was created"),
    (_entry("A", "o", second="jane doe"), "second_approver must be another person"),
])
def test_policy_violations_are_one_line(tmp_path, body, message):
    with pytest.raises(ConfigError, match=message):
        waivers.load(_file(tmp_path, body))


def test_ninety_days_is_the_limit(tmp_path):
    (w,) = waivers.load(_file(tmp_path, _entry("A", "o", days=90)))
    assert w.expires == TODAY + timedelta(days=90)


def test_a_blocker_needs_a_second_approver(tmp_path):
    one, two = waivers.load(_file(tmp_path, _entry("A", "o") + _entry("B", "o", second="Max")))
    assert waivers.covering([one], "A", "o", TODAY, "blocker") is None
    assert waivers.refused([one], "A", "o", TODAY, "blocker") is one
    assert waivers.covering([one], "A", "o", TODAY, "major") is one
    assert waivers.covering([two], "B", "o", TODAY, "blocker") is two


def _drift(pre) -> None:
    with psycopg.connect(pre.url("postgres"), autocommit=True) as conn:
        conn.execute("UPDATE meta.migration_ledger SET sha256 = repeat('0', 64)"
                     " WHERE version = '012'")


@pytest.fixture
def drifted(make_platform):
    pre = make_platform("pre")
    _drift(pre)
    _, result = run_gate(pre, PREFLIGHT, marker="preflight")
    offender = next(c for c in result["checks"] if c["check_id"] == "PF-003")["message"]
    return pre, offender


def test_a_waiver_left_set_cannot_turn_a_blocker_pass(drifted, tmp_path):
    """The issue's example: SOLVEREIGN_WAIVERS left set with a one-person blocker waiver."""
    pre, offender = drifted
    path = _file(tmp_path, _entry("PF-003", offender))
    proc, result = run_gate(pre, PREFLIGHT, marker="preflight",
                            env=pre.env(SOLVEREIGN_WAIVERS=str(path)))
    assert statuses(result)["PF-003"] == "FAIL" and result["verdict"] == "FAIL"
    assert result["waivers"]["refused"][0]["check"] == "PF-003"
    assert "waiver refused (a blocker needs a second_approver): PF-003" in proc.stdout


def test_a_two_person_blocker_waiver_applies_and_is_listed(drifted, tmp_path):
    pre, offender = drifted
    path = _file(tmp_path, _entry("PF-003", offender, second="Max Mustermann"))
    proc, result = run_gate(pre, PREFLIGHT, marker="preflight", extra=("--waivers", str(path)))
    assert statuses(result)["PF-003"] == "PASS", proc.stdout[-2000:]
    (applied,) = result["waivers"]["applied_detail"]
    assert applied["second_approver"] == "Max Mustermann" and applied["severity"] == "blocker"
    assert "waiver applied: PF-003 [blocker]" in proc.stdout


def test_a_gate_with_a_year_9999_waiver_does_not_run(make_platform, tmp_path):
    pre = make_platform("pre")
    path = _file(tmp_path, _entry("PF-007", "public.x", days=3000))
    proc, result = run_gate(pre, PREFLIGHT, marker="preflight", extra=("--waivers", str(path)))
    assert result == {} and proc.returncode == 4
    assert "more than 90 days" in proc.stderr and "Traceback" not in proc.stderr

"""Issue 23's rules on hand-computed plans: exactly on each limit (passes) and one minute past it
(fails), across both DST changes of Europe/Vienna (2026-03-29 and 2026-10-25), and fail-closed
where the plan cannot see what a rule needs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from cutover.roster.parse import parse_instance, parse_plan
from cutover.roster.report import judge_documents
from cutover.roster.rules import MISSING, VIOLATED, Limits, Violation, check_plan
from cutover.roster.rules.rest import reduced_rests
from cutover.roster.rules.timelines import timelines as rule_timelines
from cutover.roster.rules.working_time import weekly_work
from tests.roster.builders import all_to, driver, history, instance, plan, shift

BREAK45 = [(240, 45)]


def found(inst: dict[str, Any], rule: str, limits: Limits | None = None,
          pl: dict[str, Any] | None = None) -> list[Violation]:
    parsed = parse_instance(inst, "instance.json")
    pl = pl or all_to("DRV001", inst["shifts"])
    return [v for v in check_plan(parsed, parse_plan(pl, parsed, "plan.json"), limits)
            if v.rule == rule]


def weekdays(prefix: str, monday: str, days: range, minutes: int = 480,
             breaks: list[tuple[int, int]] | None = None) -> list[dict[str, Any]]:
    """Shifts at 06:00 on the given days after `monday` (elapsed days from Monday 06:00)."""
    return [shift(f"{prefix}{d}", f"{monday}T06:00", minutes, 200,
                  BREAK45 if breaks is None else breaks, offset=d * 1440) for d in days]


def hist_days(monday: str, days: range, minutes: int = 480) -> list[dict[str, Any]]:
    return [history("DRV001", f"{monday}T06:00", minutes, 200, offset=d * 1440) for d in days]


# R11: EU 561/2006 art. 8(6) ----------------------------------------------------------------

def test_r11_two_regular_rests_pass() -> None:
    # previous week Mon-Fri, this week Mon-Fri: Fri 14:00 -> Mon 06:00 and Fri 14:00 -> Mon 00:00
    inst = instance(weekdays("T", "2026-01-12", range(5)),
                    hist=hist_days("2026-01-05", range(5)))
    assert found(inst, "R11") == []


@pytest.mark.parametrize(("end_offset", "reason"), [(0, None), (1, MISSING)])
def test_r11_second_regular_rest_exactly_2700_else_fails_closed(end_offset: int,
                                                                 reason: str | None) -> None:
    # the last shift ends 2700 min before the week's end (Sat 03:00 + 2700 = Mon 00:00);
    # one minute later the rest is reduced, R11 needs it, and its compensation lies beyond
    # the plan's end: reported as missing input, with the reason
    last = shift("T9", "2026-01-16T19:00", 480 + end_offset, 200, BREAK45)
    inst = instance([*weekdays("T", "2026-01-12", range(4)), last],
                    hist=hist_days("2026-01-05", range(5)), history_weeks=None)
    hits = found(inst, "R11")
    assert [v.reason for v in hits] == ([reason] if reason else [])
    if reason:
        assert "none is visible up to 2026-01-19T00:00:00+01:00" in hits[0].message
        assert "2026-02-09" in hits[0].message  # end of the third week following


def test_r11_two_reduced_rests_violate() -> None:
    # previous week Mon-Sat; Sat 14:00 -> Mon 06:00 (40 h); this week Mon-Thu, Thu 14:00 ->
    # Sat 06:00 (40 h), Sat and Sun: two weekly rests, neither regular
    hist = hist_days("2026-01-05", range(6))
    inst = instance(weekdays("T", "2026-01-12", [0, 1, 2, 3, 5, 6]), hist=hist,
                    history_weeks=None)
    hits = found(inst, "R11")
    violated = [v for v in hits if v.reason == VIOLATED]
    assert [v.measured for v in violated] == [0]
    assert "2 weekly rests" in violated[0].message and "0 of them regular" in violated[0].message
    # R6 relies on the 40 h rest after the previous week (deficit 300): the daily rests of
    # 960 >= 540 + 300 after it compensate it within the plan, so nothing else is reported
    assert [v.reason for v in hits] == [VIOLATED]


@pytest.mark.parametrize(("reduced", "expected"), [(2280, []), (2279, [MISSING])])
def test_r11_compensation_attached_to_a_later_rest(reduced: int, expected: list[str]) -> None:
    # straddling regular rest, then a reduced weekly rest of `reduced` min (Tue 14:00 on),
    # later daily rests of 960 min: compensation needs 540 + (2700 - reduced) <= 960
    first = weekdays("A", "2026-01-12", range(2))
    after = [shift(f"B{k}", "2026-01-13T14:00", 480, 200, BREAK45, offset=reduced + k * 1440)
             for k in range(3)]
    last = shift("C", "2026-01-18T02:00", 600, 200, [(240, 45)])  # no rest >= 961 after B3
    inst = instance([*first, *after, last], hist=hist_days("2026-01-05", range(5)))
    assert [v.reason for v in found(inst, "R11")] == expected


def test_r11_fails_closed_without_history() -> None:
    inst = instance(weekdays("T", "2026-01-12", range(3)))
    inst.pop("history")
    hits = found(inst, "R11")
    assert [v.reason for v in hits] == [MISSING]


def test_r11_fails_closed_when_history_covers_no_previous_week() -> None:
    inst = instance(weekdays("T", "2026-01-12", range(3)), hist=hist_days("2026-01-05", range(5)))
    inst["history_weeks"] = 0
    hits = found(inst, "R11")
    assert [v.reason for v in hits] == [MISSING]
    assert "does not cover the week before" in hits[0].message


# R12: Dir. 2002/15/EC art. 5(1) --------------------------------------------------------------

@pytest.mark.parametrize(("at", "pause", "expected"), [
    (360, 15, []), (361, 15, [361]),  # six hours exactly, then a break
    (200, 15, []), (200, 14, [406]),  # a 14-minute pause is no break: 200 + 206 in a row
])
def test_r12_six_hours_without_a_break(at: int, pause: int, expected: list[int]) -> None:
    inst = instance([shift("T1", "2026-01-12T06:00", 406 + pause, 200, [(at, pause)])])
    assert [v.measured for v in found(inst, "R12")] == expected


def test_r12_seven_hours_before_the_only_break_passes_r8_not_r12() -> None:
    inst = instance([shift("T1", "2026-01-12T06:00", 480, 200, [(420, 45)])])
    assert found(inst, "R8") == []
    assert [v.measured for v in found(inst, "R12")] == [420]


def test_r12_fails_closed_without_breaks() -> None:
    inst = instance([shift("T1", "2026-01-12T06:00", 300, 200, None)])
    assert [v.reason for v in found(inst, "R12")] == [MISSING]


# R13: Dir. 2002/15/EC art. 7, AZG: night work => <= 600 min in each 24 h ------------------------

@pytest.mark.parametrize(("minutes", "expected"), [(645, []), (646, [601])])
def test_r13_night_duty_on_and_past_600(minutes: int, expected: list[int]) -> None:
    inst = instance([shift("T1", "2026-01-12T22:00", minutes, 200, [(300, 45)])])
    assert [v.measured for v in found(inst, "R13")] == expected


@pytest.mark.parametrize(("week", "start", "expected"), [
    ("2026-01-12", "2026-01-13T04:00", []), ("2026-01-12", "2026-01-13T03:59", [601]),
    # 2026-03-29: 00:00-04:00 local is 23:00-02:00 UTC (180 min); 04:00 local is 02:00 UTC
    ("2026-03-23", "2026-03-29T04:00", []), ("2026-03-23", "2026-03-29T03:59", [601]),
    # 2026-10-25: 00:00-04:00 local is 22:00-03:00 UTC (300 min); 04:00 local is 03:00 UTC
    ("2026-10-19", "2026-10-25T04:00", []), ("2026-10-19", "2026-10-25T03:59", [601]),
])
def test_r13_night_time_is_local_across_dst(week: str, start: str, expected: list[int]) -> None:
    # 601 working minutes: night work (and so R13) only if a minute lies before 04:00 local
    inst = instance([shift("T1", start, 646, 200, [(300, 45)])], week_start=week)
    assert [v.measured for v in found(inst, "R13")] == expected


def _night_then_afternoon(second_work: int) -> dict[str, Any]:
    """20:00-04:00 (435 worked) then 15:00 the same day, `second_work` minutes, no break."""
    return instance([shift("N", "2026-01-12T20:00", 480, 200, [(240, 45)]),
                     shift("A", "2026-01-13T15:00", second_work, 100, [])])


@pytest.mark.parametrize(("second", "expected"), [(165, []), (166, [601])])
def test_r13_rolling_24h_on_and_past_the_limit(second: int, expected: list[int]) -> None:
    # the 24 h from 20:00 hold the night duty's 435 and the whole afternoon duty
    assert [v.measured for v in found(_night_then_afternoon(second), "R13")] == expected


def test_r13_the_case_that_separates_the_readings() -> None:
    # 20:00-04:00 then 15:00-23:00 (each 435 worked, 660 min rest between): the rolling reading
    # (AZG §2(1)(2), the default) sees 690 in the 24 h from 20:00; the per-duty reading passes
    inst = instance([shift("N", "2026-01-12T20:00", 480, 200, [(240, 45)]),
                     shift("A", "2026-01-13T15:00", 480, 200, [(240, 45)])])
    rolling = found(inst, "R13")
    assert [(v.measured, v.shifts) for v in rolling] == [(690, ("A", "N"))]
    assert found(inst, "R13", Limits(night_period="duty")) == []
    # a wider night window (the directive's 00:00-07:00) changes nothing here
    assert [v.measured for v in found(inst, "R13", Limits(night_end=420))] == [690]


def test_r13_without_night_work_has_no_limit() -> None:
    # the same two duties moved to the day: 690 in 24 h is no R13 matter
    inst = instance([shift("D", "2026-01-12T04:00", 480, 200, [(240, 45)]),
                     shift("A", "2026-01-12T12:30", 480, 200, [(240, 45)])])
    assert found(inst, "R13") == []


# R14: Dir. 2002/15/EC art. 4(a), AZG §13b ---------------------------------------------------
# 17 weeks x 2880 = 48960 minutes: the plan week and the 16 weeks before it.

OPT_OUT = Limits(average_requires_history=False)  # the tenant's "judged where history allows"


def _long_history(monday: str = "2025-09-22", weeks: int = 16, per_day: int = 600,
                  did: str = "DRV001") -> list[dict[str, Any]]:
    """`weeks` weeks of 5 x `per_day` working minutes from `monday` (06:00, elapsed days):
    16 x 3000 = 48000 by default."""
    return [history(did, f"{monday}T06:00", per_day, 300, offset=(w * 7 + d) * 1440)
            for w in range(weeks) for d in range(5)]


@pytest.mark.parametrize(("week_start", "history_from"), [
    ("2026-01-12", "2025-09-22"),
    ("2026-04-06", "2025-12-15"),  # the reference period spans the March DST change
    ("2026-11-02", "2026-07-13"),  # ... and the October one (a 169 h week)
])
@pytest.mark.parametrize(("last", "expected"), [(480, []), (481, [48961])])
def test_r14_average_over_17_weeks(week_start: str, history_from: str, last: int,
                                   expected: list[int]) -> None:
    # 48000 recorded + 480 + 480 = 48960: exactly the limit; one minute more is over it
    inst = instance([shift("T1", f"{week_start}T06:00", 480, 200, []),
                     shift("T2", f"{week_start}T06:00", last, 200, [], offset=1440)],
                    hist=_long_history(history_from), week_start=week_start)
    assert inst["history_weeks"] == 16
    assert [v.measured for v in found(inst, "R14")] == expected
    assert [v.measured for v in found(inst, "R14", OPT_OUT)] == expected


@pytest.mark.parametrize(("last", "expected"), [(615, []), (616, [48961])])
def test_r14_history_duty_into_the_plan_week_counts_on_both_sides(last: int,
                                                                  expected: list[int]) -> None:
    # weeks -16..-2: 15 x 3000 = 45000; week -1: 3 x 600 = 1800 and a Sunday 20:00 - Monday
    # 04:00 duty: 240 before Monday 00:00 and 240 after it (split at local midnight, both in
    # the reference period); plan from Tuesday, after a full daily rest: 600 + 600 + 615 less
    # a 45-minute break each = 1680. 45000 + 1800 + 240 + 240 + 1680 = 48960; dropping the
    # 240 after midnight (the old week-of-start reading of a history duty) would pass 616.
    hist = [*_long_history("2025-09-22", 15), *_long_history("2026-01-05", 1)[:3],
            history("DRV001", "2026-01-11T20:00", 480, 240)]
    shifts = [shift("T1", "2026-01-13T06:00", 600, 200, [(240, 45)]),
              shift("T2", "2026-01-14T06:00", 600, 200, [(240, 45)]),
              shift("T3", "2026-01-15T06:00", last, 200, [(240, 45)])]
    inst = instance(shifts, hist=hist)
    hits = found(inst, "R14")
    assert [v.measured for v in hits] == expected
    if expected:
        assert hits[0].shifts == ("T1", "T2", "T3")
    # the week split puts 240 of the Sunday-night duty in the plan week (R7's count too)
    parsed = parse_instance(inst)
    periods = rule_timelines(parsed, parse_plan(all_to("DRV001", shifts), parsed))["DRV001"]
    per_week = weekly_work(periods, parsed.tz)
    assert per_week[date(2026, 1, 12)][0] == 240 + 555 + 555 + last - 45
    assert per_week[date(2026, 1, 5)][0] == 1800 + 240


def test_r14_fails_closed_by_default_where_history_is_short() -> None:
    # one recorded week: the average cannot be judged; by default that is a violation
    # ("missing input"), named and explained, and nothing is listed as not judged
    inst = instance([shift("T1", "2026-01-12T06:00", 480, 200, [])],
                    hist=hist_days("2026-01-05", range(5)), history_weeks=1)
    hits = found(inst, "R14")
    assert [(v.reason, v.driver, v.shifts) for v in hits] == [(MISSING, "DRV001", ("T1",))]
    assert "records 1 of the 16 weeks before 2026-01-12" in hits[0].message
    report = judge_documents(inst, all_to("DRV001", inst["shifts"]))
    assert not report["valid"] and "R14" not in report["figures"]["rules_not_judged"]
    # without the key the format's default (one week) applies: the same
    del inst["history_weeks"]
    assert [v.reason for v in found(inst, "R14")] == [MISSING]
    # without any history: missing too
    inst.pop("history")
    assert [v.reason for v in found(inst, "R14")] == [MISSING]


@pytest.mark.parametrize("weeks", [0, 1, 15])
def test_r14_opt_out_judges_where_history_allows(weeks: int) -> None:
    inst = instance([shift("T1", "2026-01-12T06:00", 480, 200, [])],
                    hist=_long_history("2025-09-22", 16)[(16 - weeks) * 5:],
                    history_weeks=weeks)
    assert found(inst, "R14", OPT_OUT) == []
    report = judge_documents(inst, all_to("DRV001", inst["shifts"]), limits=OPT_OUT)
    assert not [v for v in report["violations"] if v["rule"] == "R14"]
    reason = report["figures"]["rules_not_judged"]["R14"]
    assert f"covers {weeks} of the 16 weeks" in reason and "first DRV001" in reason
    assert [v.reason for v in found(inst, "R14")] == [MISSING]  # the default fails it closed


def test_r14_what_short_history_already_proves_is_a_violation_in_both_modes() -> None:
    # 15 recorded weeks of 5 x 660 = 49500 > 48960 already: over the limit whatever the
    # unrecorded week held, so the opt-out reports it too (as violated, not missing)
    inst = instance([shift("T1", "2026-01-12T06:00", 480, 200, [])],
                    hist=_long_history("2025-09-29", 15, per_day=660), history_weeks=15)
    assert [(v.reason, v.measured) for v in found(inst, "R14", OPT_OUT)] == [(VIOLATED, 49980)]
    assert [(v.reason, v.measured) for v in found(inst, "R14")] == [(VIOLATED, 49980)]


def test_r14_a_driver_with_fewer_recorded_weeks_fails_closed_alone() -> None:
    # the tenant records 16 weeks, DRV002 only 15 (its own `history_weeks`): DRV002's average
    # is missing input, DRV001's is judged; the opt-out lists R14 as not judged for DRV002
    drivers = [driver("DRV001"), {**driver("DRV002"), "history_weeks": 15}]
    hist = _long_history("2025-09-22", 16) + _long_history("2025-09-29", 15, did="DRV002")
    inst = instance([shift("T1", "2026-01-12T06:00", 480, 200, []),
                     shift("T2", "2026-01-12T06:00", 480, 200, [])], drivers=drivers, hist=hist)
    pl = plan([("T1", "DRV001"), ("T2", "DRV002")])
    hits = found(inst, "R14", pl=pl)
    assert [(v.reason, v.driver) for v in hits] == [(MISSING, "DRV002")]
    assert "records 15 of the 16 weeks" in hits[0].message
    assert found(inst, "R14", OPT_OUT, pl) == []
    reason = judge_documents(inst, pl, limits=OPT_OUT)["figures"]["rules_not_judged"]["R14"]
    assert "covers 15 of the 16 weeks" in reason and "1 of 2 planned drivers" in reason
    # a driver's key never widens the instance's record
    inst["history_weeks"] = 15
    drivers[0]["history_weeks"] = 16
    assert sorted(v.driver for v in found(inst, "R14", pl=pl)) == ["DRV001", "DRV002"]


# simplifications: split duties, split regular daily rest, R7 at Monday 00:00 -----------------

def test_split_duty_is_one_duty_with_a_break() -> None:
    # 06:00-09:00 + 12:00-17:00 ("geteilter Dienst") on two days: no rule is broken
    shifts = [shift(f"{p}{d}", "2026-01-12T06:00", n, 100, [], offset=d * 1440 + o)
              for d in range(2) for p, o, n in (("M", 0, 180), ("E", 360, 300))]
    inst = instance(shifts, hist=hist_days("2026-01-05", range(5)))
    parsed = parse_instance(inst)
    assert check_plan(parsed, parse_plan(all_to("DRV001", shifts), parsed)) == []


def test_split_duty_spread_still_applies() -> None:
    shifts = [shift("M", "2026-01-12T06:00", 180, 100, []),
              shift("E", "2026-01-12T15:00", 241, 100, [])]  # spread 781
    assert [v.measured for v in found(instance(shifts), "R10")] == [781]


def _reduced(shifts: list[dict[str, Any]]) -> int:
    parsed = parse_instance(instance(shifts))
    periods = rule_timelines(parsed, parse_plan(all_to("DRV001", shifts), parsed))["DRV001"]
    return len(reduced_rests(periods, Limits()))


@pytest.mark.parametrize(("first_gap", "expected"), [(180, 0), (179, 1)])
def test_split_rest_three_then_nine_is_regular(first_gap: int, expected: int) -> None:
    # 06:00-08:00, `first_gap` off, 2 h, then 540 off, then a regular rest
    shifts = [shift("A", "2026-01-12T06:00", 120, 60, []),
              shift("B", "2026-01-12T08:00", 120, 60, [], offset=first_gap),
              shift("C", "2026-01-12T10:00", 120, 60, [], offset=first_gap + 540)]
    assert _reduced(shifts) == expected


def test_split_rest_nine_then_three_is_reduced() -> None:
    # 06:00-10:00, 540 off, 19:00-21:00, 180 off, 00:00-02:00: the 540 comes first: reduced
    shifts = [shift("A", "2026-01-12T06:00", 240, 100, []),
              shift("B", "2026-01-12T19:00", 120, 60, []),
              shift("C", "2026-01-13T00:00", 120, 60, [])]
    assert _reduced(shifts) == 1


@pytest.mark.parametrize(("start", "expected"), [("2026-10-25T22:00", []),
                                                 ("2026-10-25T21:59", [3601])])
def test_r7_sunday_night_shift_split_at_monday_across_dst_end(start: str,
                                                              expected: list[int]) -> None:
    # 2026-10-25 is the DST end: Mon 06:00 + 6 x 580 = 3480 worked in the week of 2026-10-19,
    # plus the Sunday night shift's 120 minutes before Monday 00:00 = 3600 (its 180 after
    # midnight count in the next week)
    shifts = [shift(f"T{i}", "2026-10-19T06:00", 580, 200, [], offset=i * 1440)
              for i in range(6)]
    shifts.append(shift("S", start, 300, 100, []))
    hits = found(instance(shifts, week_start="2026-10-19"), "R7")
    assert [v.measured for v in hits] == expected


@pytest.mark.parametrize(("minutes", "expected"), [(240, []), (241, [3601])])
def test_r7_history_duty_running_into_the_plan_week_counts(minutes: int,
                                                          expected: list[int]) -> None:
    # history from Sunday 22:00: 120 (or 121) of its minutes after Monday 00:00 count in the
    # plan week, beside 6 x 580 = 3480 planned
    shifts = [shift(f"T{i}", "2026-01-12T06:00", 580, 200, [], offset=i * 1440)
              for i in range(6)]
    inst = instance(shifts, hist=[history("DRV001", "2026-01-11T22:00", minutes, 100)])
    assert [v.measured for v in found(inst, "R7")] == expected


def test_limits_are_parameters() -> None:
    inst = instance([shift("T1", "2026-01-12T06:00", 400, 200, [(330, 15)])])
    assert found(inst, "R12") == []
    assert [v.measured for v in found(inst, "R12", replace(Limits(), work_without_break=300))] \
        == [330]

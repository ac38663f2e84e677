"""Each hard rule at its limit (passes) and one minute past it (fails), DST and week edges too."""

from __future__ import annotations

from typing import Any

import pytest

from cutover.roster.parse import parse_instance, parse_plan
from cutover.roster.rules import MISSING, Limits, Violation, check_plan
from tests.roster.builders import all_to, at, driver, history, instance, plan, shift

TWO_BREAKS = [(225, 45), (450, 45)]  # room for up to 600 minutes of driving in 690


def found(inst: dict[str, Any], pl: dict[str, Any], rule: str,
          limits: Limits | None = None) -> list[Violation]:
    parsed = parse_instance(inst, "instance.json")
    return [v for v in check_plan(parsed, parse_plan(pl, parsed, "plan.json"), limits)
            if v.rule == rule]


def one(shifts: list[dict[str, Any]], rule: str, **kwargs: Any) -> list[Violation]:
    return found(instance(shifts, **kwargs), all_to("DRV001", shifts), rule)


# R0 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("second_start", "expected"), [("2026-01-12T14:00", 0),
                                                         ("2026-01-12T13:59", 1)])
def test_r0_overlap_by_one_minute(second_start: str, expected: int) -> None:
    shifts = [shift("T1", "2026-01-12T06:00", 480), shift("T2", second_start, 60)]
    hits = one(shifts, "R0")
    assert len(hits) == expected
    if expected:
        assert hits[0].shifts == ("T1", "T2") and hits[0].measured == 1


def test_r0_qualification_and_site() -> None:
    shifts = [shift("T1", "2026-01-12T06:00", 300, qualification="CE", site="W20")]
    inst = instance(shifts, drivers=[driver(quals=("C",))])
    messages = [v.message for v in found(inst, all_to("DRV001", shifts), "R0")]
    assert any("qualification CE" in m for m in messages)
    assert any("W20" in m for m in messages)
    crossing = found(inst, all_to("DRV001", shifts), "R0", Limits(allow_cross_site=True))
    assert [v for v in crossing if "W20" in v.message] == []


@pytest.mark.parametrize(("absence_start", "expected"), [(300, 0), (299, 1)])
def test_r0_absence_touching_vs_one_minute(absence_start: int, expected: int) -> None:
    shifts = [shift("T1", "2026-01-12T06:00", 300)]
    absence = {"driver": "DRV001", "start": at("2026-01-12T06:00", absence_start),
               "end": at("2026-01-12T06:00", absence_start + 600), "reason": "sick"}
    hits = one(shifts, "R0", absences=[absence])
    assert len(hits) == expected
    if expected:
        assert hits[0].measured == 1 and "sick" in hits[0].message


@pytest.mark.parametrize(("unavailable_start", "expected"), [("2026-01-12T11:00", 0),
                                                              ("2026-01-12T10:59", 1)])
def test_r0_unavailability(unavailable_start: str, expected: int) -> None:
    shifts = [shift("T1", "2026-01-12T06:00", 300)]
    inst = instance(shifts, drivers=[driver(unavailable=[(unavailable_start, 600)])])
    assert len(found(inst, all_to("DRV001", shifts), "R0")) == expected


def test_r0_shift_integrity() -> None:
    shifts = [shift("T1", "2026-01-12T06:00", 300), shift("T2", "2026-01-13T06:00", 300),
              shift("T3", "2026-01-14T06:00", 300)]
    inst = instance(shifts, drivers=[driver("DRV001"), driver("DRV002")])
    pl = plan([("T1", "DRV001"), ("T1", "DRV002"), ("T2", "DRV001")], uncovered=["T2"])
    messages = sorted(v.message for v in found(inst, pl, "R0"))
    assert any("T1 has 2 assignments" in m for m in messages)
    assert any("T2 is assigned and also listed as uncovered" in m for m in messages)
    assert any("T3 is neither assigned nor listed as uncovered" in m for m in messages)


# R1 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("drive", "expected"), [(600, 0), (601, 1)])
def test_r1_daily_driving_extended_limit(drive: int, expected: int) -> None:
    hits = one([shift("T1", "2026-01-12T06:00", 700, drive, TWO_BREAKS)], "R1")
    assert [(v.measured, v.limit) for v in hits] == [(601, 600)] * expected


@pytest.mark.parametrize(("days", "expected"), [(2, 0), (3, 1)])
def test_r1_at_most_two_extended_days(days: int, expected: int) -> None:
    shifts = [shift(f"T{d}", f"2026-01-1{2 + d}T06:00", 690, 541, TWO_BREAKS)
              for d in range(days)]
    hits = one(shifts, "R1")
    assert [(v.measured, v.limit) for v in hits] == [(3, 2)] * expected


@pytest.mark.parametrize(("third", "expected"), [("2026-03-29T23:30", 1), ("2026-03-30T00:00", 0)])
def test_r1_extended_days_counted_in_local_dst_week(third: str, expected: int) -> None:
    # Monday 2026-03-30 00:00 local is Sunday 22:00 UTC: a UTC week would count it wrongly
    shifts = [shift("T1", "2026-03-27T06:00", 690, 560, TWO_BREAKS),
              shift("T2", "2026-03-28T06:00", 690, 560, TWO_BREAKS),
              shift("T3", third, 690, 560, TWO_BREAKS)]
    assert len(one(shifts, "R1", week_start="2026-03-23")) == expected


def test_r1_short_gap_joins_shifts_into_one_duty() -> None:
    shifts = [shift("T1", "2026-01-12T06:00", 330, 310), shift("T2", "2026-01-12T12:30", 330, 310)]
    hits = one(shifts, "R1")
    assert [(v.measured, v.shifts) for v in hits] == [(620, ("T1", "T2"))]
    assert one(shifts, "R5") == []  # a 60-minute gap is a break inside the duty, not a rest


# R2 ------------------------------------------------------------------------------------------

def _six_days(monday: str, drives: list[int]) -> list[dict[str, Any]]:
    return [shift(f"T{i}", monday, 690, d, TWO_BREAKS, offset=i * 1440)
            for i, d in enumerate(drives)]


@pytest.mark.parametrize(("last", "expected"), [(560, None), (561, 3361)])
def test_r2_weekly_driving(last: int, expected: int | None) -> None:
    hits = one(_six_days("2026-01-12T06:00", [560] * 5 + [last]), "R2")
    assert [v.measured for v in hits] == ([expected] if expected else [])


@pytest.mark.parametrize(("extra_start", "expected"), [("2026-10-26T00:00", []),
                                                        ("2026-10-25T23:59", [3460])])
def test_r2_week_boundary_after_dst_end(extra_start: str, expected: list[int]) -> None:
    shifts = [*_six_days("2026-10-19T06:00", [560] * 6), shift("TX", extra_start, 300, 100)]
    assert [v.measured for v in one(shifts, "R2", week_start="2026-10-19")] == expected


# R3 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("last_history", "expected"), [(510, []), (511, [5401])])
def test_r3_two_week_driving_uses_history(last_history: int, expected: list[int]) -> None:
    hist = [history("DRV001", f"2026-01-0{5 + d}T06:00", 600, 510) for d in range(3)]
    hist.append(history("DRV001", "2026-01-08T06:00", 600, last_history))
    hits = one(_six_days("2026-01-12T06:00", [560] * 6), "R3", hist=hist)
    assert [v.measured for v in hits] == expected


def test_r3_and_r6_fail_closed_without_history() -> None:
    shifts = [shift("T1", "2026-01-12T06:00", 300)]
    inst = instance(shifts)
    del inst["history"]
    for rule in ("R3", "R6"):
        hits = found(inst, all_to("DRV001", shifts), rule)
        assert [(v.reason, v.shifts) for v in hits] == [(MISSING, ("T1",))]


# R4 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("drive", "expected"), [(540, []), (541, [271])])
def test_r4_one_full_break(drive: int, expected: list[int]) -> None:
    hits = one([shift("T1", "2026-01-12T06:00", 600, drive, [(270, 45)])], "R4")
    assert [v.measured for v in hits] == expected


@pytest.mark.parametrize(("drive", "expected"), [(510, []), (511, [271])])
def test_r4_split_break_fifteen_then_thirty(drive: int, expected: list[int]) -> None:
    hits = one([shift("T1", "2026-01-12T06:00", 600, drive, [(120, 15), (255, 30)])], "R4")
    assert [v.measured for v in hits] == expected


def test_r4_thirty_then_fifteen_does_not_qualify() -> None:
    good = one([shift("T1", "2026-01-12T06:00", 600, 300, [(120, 15), (270, 30)])], "R4")
    bad = one([shift("T1", "2026-01-12T06:00", 600, 300, [(120, 30), (270, 15)])], "R4")
    assert good == [] and [v.measured for v in bad] == [300]


@pytest.mark.parametrize(("pause", "expected"), [(45, []), (44, [271])])
def test_r4_a_break_of_44_minutes_does_not_reset(pause: int, expected: list[int]) -> None:
    hits = one([shift("T1", "2026-01-12T06:00", 540, 271, [(200, pause)])], "R4")
    assert [v.measured for v in hits] == expected


def test_r4_r8_r10_fail_closed_without_breaks() -> None:
    shifts = [shift("T1", "2026-01-12T06:00", 300, breaks=None)]
    for rule in ("R4", "R8", "R10"):
        assert [v.reason for v in one(shifts, rule)] == [MISSING]


def test_missing_drive_minutes_fail_closed() -> None:
    shifts = [shift("T1", "2026-01-12T06:00", 300, drive=None)]
    for rule in ("R1", "R2", "R3", "R4"):
        assert MISSING in [v.reason for v in one(shifts, rule)], rule


# R5 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("next_start", "expected"), [("2026-01-12T23:00", []),
                                                      ("2026-01-12T22:59", [1319])])
def test_r5_a_gap_below_the_reduced_rest_joins_one_duty(next_start: str,
                                                        expected: list[int]) -> None:
    # 539 minutes off is no rest: both shifts form one duty, whose spread R10 judges
    shifts = [shift("T1", "2026-01-12T06:00", 480), shift("T2", next_start, 300)]
    assert one(shifts, "R5") == []
    assert [v.measured for v in one(shifts, "R10") if v.limit == 780] == expected


@pytest.mark.parametrize(("next_start", "expected"), [("2026-03-29T06:00", []),
                                                      ("2026-03-29T05:59", [1319])])
def test_r5_rest_is_elapsed_time_across_dst_start(next_start: str, expected: list[int]) -> None:
    # 20:00 (+01:00) to 06:00 (+02:00) looks like 10 h on the wall clock but is 9 h = 540 min;
    # one minute less is no rest, so the two shifts are one duty spreading 480 + 539 + 300 = 1319
    shifts = [shift("T1", "2026-03-28T12:00", 480), shift("T2", next_start, 300)]
    assert [v.measured for v in one(shifts, "R10", week_start="2026-03-23")
            if v.limit == 780] == expected


@pytest.mark.parametrize(("count", "expected"), [(4, []), (5, [4])])
def test_r5_at_most_three_reduced_rests(count: int, expected: list[int]) -> None:
    shifts = [shift(f"T{k}", "2026-01-12T06:00", 300, offset=k * 900) for k in range(count)]
    assert [v.measured for v in one(shifts, "R5")] == expected


def test_r5_weekly_rest_resets_reduced_rest_count() -> None:
    first = [shift(f"A{k}", "2026-01-12T06:00", 300, offset=k * 900) for k in range(3)]
    second = [shift(f"B{k}", "2026-01-12T06:00", 300, offset=2100 + 1440 + k * 900)
              for k in range(3)]
    assert one(first + second, "R5") == []


# R6 ------------------------------------------------------------------------------------------

def _block(monday: str, last: int) -> list[dict[str, Any]]:
    """Seven shifts 1400 minutes apart (gaps of 920 < 1440): span 8400 + `last`."""
    return [shift(f"T{k}", monday, 480 if k < 6 else last, 100, offset=k * 1400)
            for k in range(7)]


@pytest.mark.parametrize(("last", "expected"), [(240, []), (241, [8641])])
def test_r6_weekly_rest_interval(last: int, expected: list[int]) -> None:
    assert [v.measured for v in one(_block("2026-01-12T06:00", last), "R6")] == expected


@pytest.mark.parametrize(("last", "expected"), [(240, []), (241, [8641])])
def test_r6_counts_elapsed_minutes_across_dst_end(last: int, expected: list[int]) -> None:
    # the block spans 2026-10-25 03:00 -> 02:00: the wall clock shows one hour more
    hits = one(_block("2026-10-19T06:00", last), "R6", week_start="2026-10-19")
    assert [v.measured for v in hits] == expected


@pytest.mark.parametrize(("last", "expected"), [(240, []), (241, [8641])])
def test_r6_looks_back_into_history(last: int, expected: list[int]) -> None:
    hist = [history("DRV001", "2026-01-10T06:00", 480, offset=k * 1400) for k in range(2)]
    shifts = [shift(f"T{k}", "2026-01-10T06:00", 480 if k < 6 else last, 100,
                    offset=k * 1400) for k in range(2, 7)]
    assert [v.measured for v in one(shifts, "R6", hist=hist)] == expected


@pytest.mark.parametrize(("gap", "expected"), [(1440, 0), (1439, 1)])
def test_r6_a_gap_of_1440_is_a_weekly_rest(gap: int, expected: int) -> None:
    first = [shift(f"A{k}", "2026-01-12T06:00", 480, 100, offset=k * 1400) for k in range(4)]
    second = [shift(f"B{k}", "2026-01-12T06:00", 480, 100, offset=4680 + gap + k * 1400)
              for k in range(3)]
    assert len(one(first + second, "R6")) == expected


# R7 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("last", "expected"), [(600, []), (601, [3601])])
def test_r7_weekly_working_time(last: int, expected: list[int]) -> None:
    shifts = [shift(f"T{i}", "2026-01-12T06:00", 600 if i < 5 else last, 200, offset=i * 1440)
              for i in range(6)]
    assert [v.measured for v in one(shifts, "R7")] == expected


def test_r7_breaks_are_not_working_time() -> None:
    shifts = [shift(f"T{i}", "2026-01-12T06:00", 645, 200, [(300, 45)], offset=i * 1440)
              for i in range(6)]
    assert one(shifts, "R7") == []


# R8 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("minutes", "breaks", "expected"), [
    (360, [], []),
    (361, [], [(0, 30)]),
    (570, [(250, 30)], []),
    (571, [(250, 30)], [(30, 45)]),
    (400, [(100, 15), (250, 15)], []),
    (400, [(100, 14), (250, 14)], [(0, 30)]),
])
def test_r8_breaks_for_working_time(minutes: int, breaks: list[tuple[int, int]],
                                    expected: list[tuple[int, int]]) -> None:
    hits = one([shift("T1", "2026-01-12T06:00", minutes, 200, breaks)], "R8")
    assert [(v.measured, v.limit) for v in hits] == expected


# R10 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("minutes", "breaks", "expected"), [
    (765, [(300, 45)], []),
    (766, [(300, 45)], [(721, 720)]),
    (780, [(200, 45), (400, 45)], []),
    (781, [(200, 45), (400, 45)], [(781, 780)]),
])
def test_r10_duty_work_and_spread(minutes: int, breaks: list[tuple[int, int]],
                                  expected: list[tuple[int, int]]) -> None:
    hits = one([shift("T1", "2026-01-12T06:00", minutes, 200, breaks)], "R10")
    assert [(v.measured, v.limit) for v in hits] == expected


def test_history_alone_is_never_reported() -> None:
    hist = [history("DRV001", "2026-01-05T06:00", 900, 700)]  # breaks R1, R10 on its own
    shifts = [shift("T1", "2026-01-14T06:00", 300, 100)]
    parsed = parse_instance(instance(shifts, hist=hist))
    assert check_plan(parsed, parse_plan(all_to("DRV001", shifts), parsed)) == []

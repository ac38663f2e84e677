"""Driving time: R1 daily, R2 weekly, R3 two weeks (EU 561/2006 art. 6), R4 continuous (art. 7)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta, tzinfo

from cutover.roster.model import (
    Interval,
    iso,
    week_of,
)
from cutover.roster.rules.findings import MISSING, Violation, fail
from cutover.roster.rules.limits import Limits
from cutover.roster.rules.timelines import Period, work_intervals


def least_longest_stretch(drive: int, stretches: Sequence[int]) -> int:
    """Smallest X so that `drive` fits in the stretches with at most min(X, stretch) in each."""
    if drive <= 0:
        return 0
    if drive > sum(stretches):
        return drive  # cannot be fitted at all; report the whole driving as one stretch
    lo, hi = 0, max(stretches)
    while lo < hi:
        mid = (lo + hi) // 2
        if sum(min(mid, s) for s in stretches) >= drive:
            hi = mid
        else:
            lo = mid + 1
    return lo


def driving_stretches(work: Sequence[Interval], limits: Limits) -> list[int]:
    """Working minutes between qualifying breaks (45, or 15 followed later by 30)."""
    stretches = [0]
    has_first_part = False
    for i, iv in enumerate(work):
        if i:
            pause = iv.start - work[i - 1].end
            split_done = has_first_part and pause >= limits.break_split_second
            if pause >= limits.break_full or split_done:
                stretches.append(0)
                has_first_part = False
            elif pause >= limits.break_split_first:
                has_first_part = True
        stretches[-1] += iv.minutes
    return stretches


def _duty_drive(duty: Sequence[Period]) -> int | None:
    drives = [p.drive for p in duty]
    return None if any(d is None for d in drives) else sum(drives)  # type: ignore[misc]


def r1_duty_drive(driver: str, duty: Sequence[Period], tz: tzinfo,
                  limits: Limits) -> list[Violation]:
    """R1: a duty drives at most the extended daily limit."""
    drive = _duty_drive(duty)
    start = iso(duty[0].start, tz)
    if drive is None:
        return [fail("R1", driver, duty, None, limits.daily_drive_extended,
                   f"{driver}: duty from {start} has no drive_minutes", MISSING)]
    if drive > limits.daily_drive_extended:
        return [fail("R1", driver, duty, drive, limits.daily_drive_extended,
                   f"{driver}: {drive} min driving in the duty from {start} "
                   f"> {limits.daily_drive_extended}")]
    return []


def r1_extended_days(driver: str, duties: Sequence[Sequence[Period]], tz: tzinfo,
                     limits: Limits) -> list[Violation]:
    """R1: at most N duties per week over the normal daily driving limit."""
    per_week: dict[date, list[Sequence[Period]]] = defaultdict(list)
    for duty in duties:
        drive = _duty_drive(duty)
        if drive is not None and drive > limits.daily_drive:
            per_week[week_of(duty[0].start, tz)].append(duty)
    found = []
    for week, extended in sorted(per_week.items()):
        planned = [p for duty in extended for p in duty if p.planned]
        if len(extended) > limits.extended_days_per_week and planned:
            found.append(fail("R1", driver, planned, len(extended), limits.extended_days_per_week,
                            f"{driver}: {len(extended)} duties over {limits.daily_drive} min "
                            f"driving in the week of {week.isoformat()} "
                            f"(at most {limits.extended_days_per_week})"))
    return found


def r4_continuous_driving(driver: str, duty: Sequence[Period], tz: tzinfo,
                          limits: Limits) -> list[Violation]:
    """R4: the driving of the duty fits between qualifying breaks, 270 at a time."""
    planned = [p for p in duty if p.planned]
    start = iso(planned[0].start, tz)
    if any(p.breaks is None for p in planned) or any(p.drive is None for p in planned):
        return [fail("R4", driver, planned, None, limits.drive_without_break,
                   f"{driver}: duty from {start} lacks breaks or drive_minutes", MISSING)]
    drive = sum(p.drive or 0 for p in planned)
    stretches = driving_stretches(work_intervals(planned), limits)
    longest = least_longest_stretch(drive, stretches)
    if longest > limits.drive_without_break:
        return [fail("R4", driver, planned, longest, limits.drive_without_break,
                   f"{driver}: duty from {start} must drive {longest} min without a qualifying "
                   f"break (stretches {stretches}, {drive} min driving) "
                   f"> {limits.drive_without_break}")]
    return []


def _weekly(periods: Sequence[Period], tz: tzinfo) -> dict[date, list[Period]]:
    per_week: dict[date, list[Period]] = defaultdict(list)
    for p in periods:
        per_week[week_of(p.start, tz)].append(p)
    return per_week


def _total(periods: Sequence[Period], value: str) -> int | None:
    values = [getattr(p, value) for p in periods]
    return None if any(v is None for v in values) else sum(values)


def _weekly_limit(rule: str, driver: str, periods: Sequence[Period], tz: tzinfo, value: str,
                  limit: int, what: str) -> list[Violation]:
    found = []
    for week, members in sorted(_weekly(periods, tz).items()):
        if not any(p.planned for p in members):
            continue
        total = _total(members, value)
        label = f"{driver}: {what} in the week of {week.isoformat()}"
        if total is None:
            found.append(fail(rule, driver, members, None, limit, f"{label} unknown", MISSING))
        elif total > limit:
            found.append(fail(rule, driver, members, total, limit,
                              f"{label} {total} min > {limit}"))
    return found


def r2_weekly_drive(driver: str, periods: Sequence[Period], tz: tzinfo,
                    limits: Limits) -> list[Violation]:
    """R2: driving per local calendar week."""
    return _weekly_limit("R2", driver, periods, tz, "drive", limits.weekly_drive, "driving")


def r3_fortnight_drive(driver: str, periods: Sequence[Period], has_history: bool, tz: tzinfo,
                       limits: Limits) -> list[Violation]:
    """R3: driving in a week with planned shifts plus the week before."""
    planned = [p for p in periods if p.planned]
    if not has_history:
        return [fail("R3", driver, planned, None, limits.fortnight_drive,
                   f"{driver}: the instance has no history for the previous week", MISSING)]
    per_week = _weekly(periods, tz)
    found = []
    for week in sorted(per_week):
        if not any(p.planned for p in per_week[week]):
            continue
        members = per_week.get(week - timedelta(days=7), []) + per_week[week]
        total = _total(members, "drive")
        label = f"{driver}: driving in the weeks of {(week - timedelta(days=7)).isoformat()} and " \
                f"{week.isoformat()}"
        if total is None:
            found.append(fail("R3", driver, members, None, limits.fortnight_drive,
                            f"{label} unknown", MISSING))
        elif total > limits.fortnight_drive:
            found.append(fail("R3", driver, members, total, limits.fortnight_drive,
                            f"{label} {total} min > {limits.fortnight_drive}"))
    return found

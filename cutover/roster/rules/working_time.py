"""Working time: R7 weekly, R8 breaks and R12 work in a row (Dir. 2002/15/EC art. 4, 5), R10 per
duty (AZG), R14 average week (Dir. 2002/15/EC art. 4(a), AZG §13b)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, timedelta, tzinfo

from cutover.roster.model import (
    iso,
    week_of,
    week_start_minute,
)
from cutover.roster.rules.findings import MISSING, Violation, fail
from cutover.roster.rules.limits import Limits
from cutover.roster.rules.timelines import Period, View, split_by_week, work_intervals, work_spans


def r8_breaks(driver: str, duty: Sequence[Period], tz: tzinfo, limits: Limits) -> list[Violation]:
    """R8: enough break minutes for the working time of the duty."""
    planned = [p for p in duty if p.planned]
    start = iso(planned[0].start, tz)
    if any(p.breaks is None for p in planned):
        return [fail("R8", driver, planned, None, None,
                   f"{driver}: duty from {start} has no breaks listed", MISSING)]
    work = work_intervals(planned)
    worked = sum(iv.minutes for iv in work)
    pauses = [b.start - a.end for a, b in itertools.pairwise(work)]
    credit = sum(p for p in pauses if p >= limits.min_break_part)
    need = 0
    if worked > limits.work_needs_second_break:
        need = limits.second_break
    elif worked > limits.work_needs_first_break:
        need = limits.first_break
    if credit < need:
        return [fail("R8", driver, planned, credit, need,
                   f"{driver}: duty from {start} works {worked} min with {credit} min of breaks "
                   f"(needs {need})")]
    return []


def r10_duty(driver: str, duty: Sequence[Period], tz: tzinfo, limits: Limits) -> list[Violation]:
    """R10: working time and spread of a duty."""
    start = iso(duty[0].start, tz)
    found = []
    works = [p.work for p in duty]
    if any(w is None for w in works):
        found.append(fail("R10", driver, duty, None, limits.duty_work,
                        f"{driver}: duty from {start} has no breaks listed", MISSING))
    else:
        worked = sum(works)  # type: ignore[arg-type]
        if worked > limits.duty_work:
            found.append(fail("R10", driver, duty, worked, limits.duty_work,
                            f"{driver}: duty from {start} works {worked} min > {limits.duty_work}"))
    spread = max(p.end for p in duty) - duty[0].start
    if spread > limits.duty_spread:
        found.append(fail("R10", driver, duty, spread, limits.duty_spread,
                        f"{driver}: duty from {start} spreads over {spread} min "
                        f"> {limits.duty_spread}"))
    return found


def r12_continuous_work(driver: str, duty: Sequence[Period], tz: tzinfo,
                        limits: Limits) -> list[Violation]:
    """R12, Dir. 2002/15/EC art. 5(1): no more than `work_without_break` (360) minutes of work
    in a row; only a pause of at least `min_break_part` (15) interrupts it (art. 5(1): breaks
    may be divided into periods of at least 15 minutes). R8 checks the total of the breaks,
    this rule where they lie: 7 h of work before the only break passes R8 but not R12."""
    planned = [p for p in duty if p.planned]
    start = iso(planned[0].start, tz)
    if any(p.breaks is None for p in planned):
        return [fail("R12", driver, planned, None, limits.work_without_break,
                   f"{driver}: duty from {start} has no breaks listed", MISSING)]
    longest, run = 0, 0
    work = work_intervals(planned)
    for i, iv in enumerate(work):
        if i and iv.start - work[i - 1].end >= limits.min_break_part:
            run = 0
        run += iv.minutes
        longest = max(longest, run)
    if longest > limits.work_without_break:
        return [fail("R12", driver, planned, longest, limits.work_without_break,
                   f"{driver}: duty from {start} works {longest} min without a break of "
                   f"{limits.min_break_part} min > {limits.work_without_break}")]
    return []


def weekly_work(periods: Sequence[Period], tz: tzinfo,
                ) -> dict[date, tuple[int, list[Period], bool]]:
    """Per local week: working minutes, the periods with work in it, whether any is unknown.

    A period with unknown breaks makes every week its span touches unknown.
    """
    out: dict[date, tuple[int, list[Period], bool]] = {}
    for p in periods:
        spans = work_spans(p)
        parts = split_by_week(p.span, tz) if spans is None else \
            [wm for iv in spans for wm in split_by_week(iv, tz)]
        for week, minutes in parts:
            total, members, unknown = out.get(week, (0, [], False))
            if not members or members[-1] is not p:
                members = [*members, p]
            out[week] = (total + (0 if spans is None else minutes), members,
                         unknown or spans is None)
    return out


def r7_weekly_work(driver: str, periods: Sequence[Period], tz: tzinfo,
                   limits: Limits) -> list[Violation]:
    """R7: working time per local calendar week, split minute by minute at Monday 00:00 local.

    Dir. 2002/15/EC art. 4(a) (60 h maximum), AZG §13b: a Sunday-night shift counts in each
    week by the minutes worked in it, and a history duty running into the plan week counts
    there with its minutes after Monday 00:00.
    """
    found = []
    for week, (total, members, unknown) in sorted(weekly_work(periods, tz).items()):
        if not any(p.planned for p in members):
            continue
        label = f"{driver}: working time in the week of {week.isoformat()}"
        if unknown:
            found.append(fail("R7", driver, members, None, limits.weekly_work, f"{label} unknown",
                            MISSING))
        elif total > limits.weekly_work:
            found.append(fail("R7", driver, members, total, limits.weekly_work,
                            f"{label} {total} min > {limits.weekly_work}"))
    return found


def r14_average_week(driver: str, periods: Sequence[Period], view: View | None, tz: tzinfo,
                     limits: Limits) -> list[Violation]:
    """R14, Dir. 2002/15/EC art. 4(a), AZG §13b: the average weekly working time over a
    reference period of `average_reference_weeks` (17) local weeks <= `average_week_work`
    (2880), judged for each reference period ending with a week of the instance that holds
    planned work. Working time is split minute by minute at Monday 00:00 local, so a history
    duty running into the plan week counts there with its minutes after midnight. When the
    recorded past (`view.start`: the instance's `history_weeks`, or the driver's own, fewer)
    covers the whole period, the exact total; when it does not, R14 fails closed (`missing
    input`, docs/roster.md "Hard rules") unless the tenant opted out
    (`average_requires_history=False`, "judged where the history allows"): then only a total
    already over the limit is reported and `not_judged` lists the rest. A total already over
    the limit is a violation either way.
    """
    planned = [p for p in periods if p.planned]
    per_week = weekly_work(periods, tz)
    found = []
    horizon_end = view.end if view is not None else max(p.end for p in periods)
    for week in sorted(per_week):
        _, members_w, _ = per_week[week]
        if not any(p.planned for p in members_w) or \
                week_start_minute(week, tz) >= horizon_end:
            continue
        first = week - timedelta(days=7 * (limits.average_reference_weeks - 1))
        weeks = [w for w in per_week if first <= w <= week]
        total = sum(per_week[w][0] for w in weeks)
        unknown = any(per_week[w][2] for w in weeks)
        members = [p for w in weeks for p in per_week[w][1] if p.planned]
        cap = limits.average_week_work * limits.average_reference_weeks
        covered = view is not None and view.start is not None and \
            view.start <= week_start_minute(first, tz)
        label = (f"{driver}: working time over the {limits.average_reference_weeks} weeks "
                 f"{first.isoformat()}..{week.isoformat()}")
        if unknown:
            found.append(fail("R14", driver, members, None, cap, f"{label} unknown", MISSING))
        elif total > cap:
            found.append(fail("R14", driver, members, total, cap,
                            f"{label} {total} min > {cap} (average "
                            f"{total // limits.average_reference_weeks} > "
                            f"{limits.average_week_work})"))
        elif not covered and limits.average_requires_history:
            seen = _weeks_recorded_before(week, view, tz)
            found.append(fail("R14", driver, members or planned, None, cap,
                            f"{label}: the history does not cover the reference period (it "
                            f"records {seen} of the {limits.average_reference_weeks - 1} weeks "
                            f"before {week.isoformat()})", MISSING))
    return found


def _weeks_recorded_before(week: date, view: View | None, tz: tzinfo) -> int:
    """Whole local weeks between the start of the recorded past and `week` (0 without it)."""
    if view is None or view.start is None:
        return 0
    return max(0, (week - week_of(view.start, tz)).days // 7)

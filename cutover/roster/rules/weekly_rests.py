"""R11: two weekly rests in any two consecutive weeks, reduced ones compensated
(EU 561/2006 art. 8(6))."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import timedelta, tzinfo

from cutover.roster.model import (
    Interval,
    iso,
    week_of,
    week_start_minute,
)
from cutover.roster.rules.findings import MISSING, Violation, fail
from cutover.roster.rules.limits import Limits
from cutover.roster.rules.timelines import Period, View


def weekly_rests(periods: Sequence[Period], view: View) -> list[Interval]:
    """Visible rests of any length between work periods: the gaps, the time from the start of
    the recorded past to the first period, and from the last end to the end of the instance
    week (only their visible part: what lies beyond the view is not known to be rest)."""
    out = []
    if view.start is not None and periods and periods[0].start > view.start:
        out.append(Interval(view.start, periods[0].start))
    latest = None
    for p in periods:
        if latest is not None and p.start > latest:
            out.append(Interval(latest, p.start))
        latest = p.end if latest is None else max(latest, p.end)
    if latest is not None and view.end > latest:
        out.append(Interval(latest, view.end))
    return out


def r11_weekly_rests(driver: str, periods: Sequence[Period], view: View | None, tz: tzinfo,
                     limits: Limits) -> list[Violation]:
    """R11, EU 561/2006 art. 8(6): in any two consecutive weeks at least two weekly rests, one
    of them regular (>= 2700); a reduced one (1440..2699) compensated en bloc, attached to
    another rest of at least 540, before the end of the third week following its week.

    Judged on every pair of local weeks that lies wholly inside the view (from the start of
    the recorded history to the end of the instance week) and holds planned work; a rest
    counts for a pair when it overlaps it (art. 8(9): a rest falling in two weeks may count
    in either). With one week of history that is the previous week and the plan week; the
    pair of the plan week and the next is judged when the next week is planned, because a
    regular rest can always still be planned there.
    A reduced rest needs compensation when a pair needs it (fewer than two regular rests in
    it) or R6 needs it (without it the work between two weekly rests would span more than
    `weekly_rest_interval`). Its compensation is a later gap of at least 540 + (2700 - its
    length) minutes before its deadline; where the deadline lies beyond the instance week and
    no such gap is visible, the rule fails closed with that reason (the plan cannot see it).
    """
    planned = [p for p in periods if p.planned]
    if view is None or view.start is None:
        return [fail("R11", driver, planned, None, 2,
                   f"{driver}: the instance has no history to find the previous week's "
                   f"weekly rests", MISSING)]
    gaps = weekly_rests(periods, view)
    rests = [r for r in gaps if r.minutes >= limits.reduced_weekly_rest]
    found: list[Violation] = []
    needed: dict[Interval, list[Period]] = {}
    week = week_of(view.start, tz)
    judged = False
    while week_start_minute(week + timedelta(days=14), tz) <= view.end:
        lo = week_start_minute(week, tz)
        hi = week_start_minute(week + timedelta(days=14), tz)
        members = [p for p in planned if p.start < hi and p.end > lo]
        if members:
            judged = True
            in_pair = [r for r in rests if r.start < hi and r.end > lo]
            regular = [r for r in in_pair if r.minutes >= limits.regular_weekly_rest]
            label = f"{driver}: the weeks of {week.isoformat()} and " \
                    f"{(week + timedelta(days=7)).isoformat()}"
            if len(in_pair) < 2 or not regular:
                found.append(fail("R11", driver, members, len(regular), 1,
                                f"{label} hold {len(in_pair)} weekly rests of at least "
                                f"{limits.reduced_weekly_rest} min, {len(regular)} of them "
                                f"regular (>= {limits.regular_weekly_rest}); at least two, one "
                                f"regular, are needed"))
            elif len(regular) < 2:
                reduced = max((r for r in in_pair if r.minutes < limits.regular_weekly_rest),
                              key=lambda r: (r.minutes, -r.start))
                needed.setdefault(reduced, []).extend(members)
        week += timedelta(days=7)
    if planned and not judged:
        return [fail("R11", driver, planned, None, 2,
                   f"{driver}: the history does not cover the week before the plan, so no two "
                   f"consecutive weeks are visible", MISSING)]
    for rest in _r6_needed_reduced(periods, limits):
        needed.setdefault(rest, []).extend(p for p in planned if p.end > rest.start - 8640)
    for rest, members in sorted(needed.items()):
        found.extend(_compensation(driver, rest, members or planned, gaps, view, tz, limits))
    return found


def _r6_needed_reduced(periods: Sequence[Period], limits: Limits) -> list[Interval]:
    """Reduced weekly rests R6 relies on: merging the blocks on either side would exceed the
    interval between weekly rests."""
    blocks: list[list[int]] = []  # [start, latest end]
    out = []
    latest = None
    for p in periods:
        if latest is not None and p.start - latest >= limits.reduced_weekly_rest:
            blocks.append([p.start, p.end])
        elif blocks:
            blocks[-1][1] = max(blocks[-1][1], p.end)
        else:
            blocks.append([p.start, p.end])
        latest = p.end if latest is None else max(latest, p.end)
    for before, after in itertools.pairwise(blocks):
        gap = Interval(before[1], after[0])
        if gap.minutes < limits.regular_weekly_rest and \
                after[1] - before[0] > limits.weekly_rest_interval:
            out.append(gap)
    return out


def _compensation(driver: str, rest: Interval, members: Sequence[Period],
                  rests: Sequence[Interval], view: View, tz: tzinfo,
                  limits: Limits) -> list[Violation]:
    """The compensation of one reduced weekly rest that R11 or R6 relies on."""
    deficit = limits.regular_weekly_rest - rest.minutes
    week = week_of(rest.start, tz)
    deadline = week_start_minute(week + timedelta(days=7 * (limits.compensation_weeks + 1)), tz)
    need = limits.compensation_attached_rest + deficit
    if deadline <= week_start_minute(week_of(view.end - 1, tz), tz):
        return []  # due before the instance week: the past, not this plan's to answer for
    for later in rests:
        if later.start >= rest.end and min(later.end, deadline) - later.start >= need:
            return []
    label = (f"{driver}: the reduced weekly rest of {rest.minutes} min from "
             f"{iso(rest.start, tz)} needs {deficit} min of compensation attached to a rest of "
             f"at least {limits.compensation_attached_rest} min before {iso(deadline, tz)}")
    if deadline > view.end:
        return [fail("R11", driver, members, None, need,
                   f"{label}; none is visible up to {iso(view.end, tz)}, where the plan ends",
                   MISSING)]
    return [fail("R11", driver, members, 0, need, f"{label}; none was taken")]

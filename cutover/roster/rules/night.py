"""R13: where night work is done, at most 600 minutes of work in each 24 h
(Dir. 2002/15/EC art. 7, AZG)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, timedelta, tzinfo

from cutover.roster.model import (
    Interval,
    from_minute,
    iso,
    local_minute,
)
from cutover.roster.rules.findings import MISSING, Violation, fail, planned_ids
from cutover.roster.rules.limits import Limits
from cutover.roster.rules.timelines import Period, merge, work_spans


def night_time(lo: int, hi: int, tz: tzinfo, limits: Limits) -> list[Interval]:
    """The night windows (local wall clock, every local day) that touch [lo, hi).

    Each is local `night_start` to `night_end` on one local date, converted through the
    timezone, so the March night 00:00-04:00 in Vienna is 180 elapsed minutes and the October
    one 300."""
    out = []
    day = from_minute(lo, tz).date() - timedelta(days=1)
    while (window := _night_of(day, limits.night_start, limits.night_end, tz)).start < hi:
        if window.end > lo:
            out.append(window)
        day += timedelta(days=1)
    return out


@functools.lru_cache(maxsize=4096)
def _night_of(day: date, start: int, end: int, tz: tzinfo) -> Interval:
    """One local date's night window in UTC minutes (cached: planners ask thousands of times)."""
    return Interval(local_minute(day, start, tz), local_minute(day, end, tz))


def _in_window(work: Sequence[tuple[Interval, Period]], t: int) -> tuple[int, list[Period]]:
    """Working minutes in [t, t + 1440) and the periods they belong to."""
    window = Interval(t, t + 1440)
    pieces, members = [], []
    for iv, p in work:
        if iv.overlap(window):
            pieces.append(Interval(max(iv.start, t), min(iv.end, window.end)))
            if p not in members:
                members.append(p)
    # overlapping periods (an R0 matter) count their shared minutes once
    return sum(iv.minutes for iv in merge(pieces)), members


def r13_night_work(driver: str, periods: Sequence[Period], duties: Sequence[Sequence[Period]],
                   tz: tzinfo, limits: Limits) -> list[Violation]:
    """R13, Dir. 2002/15/EC art. 7 with art. 3(j)/(k) and the AZG: where night work is done,
    working time <= `night_work_limit` (600) in each 24-hour period.

    Night time is local `night_start`..`night_end` (default 00:00-04:00, the AZG's night for
    drivers; the directive allows any 4 h between 00:00 and 07:00), night work any working
    minute in it. `night_period` "rolling" (default, AZG §2(1)(2): the working time within an
    uninterrupted 24-hour period) judges every window of 1440 elapsed minutes that holds a
    minute of night work; "duty" judges the working time of each duty holding night work (a
    20:00-04:00 duty followed the same day by 15:00-23:00 passes it but not the rolling one).
    History periods count as working time all through; only windows or duties with planned
    work are reported.
    """
    planned = [p for p in periods if p.planned]
    unknown = [p for p in planned if p.breaks is None]
    if unknown:
        names = ", ".join(planned_ids(unknown))
        return [fail("R13", driver, unknown, None, limits.night_work_limit,
                     f"{driver}: working time of {names} unknown (no breaks)", MISSING)]
    work = [(iv, p) for p in periods for iv in work_spans(p) or ()]
    if limits.night_period == "rolling":
        work = _near(work, planned)
    if not work:
        return []
    nights = night_time(min(iv.start for iv, _ in work), max(iv.end for iv, _ in work), tz,
                        limits)
    night_work = [Interval(max(iv.start, n.start), min(iv.end, n.end))
                  for iv, _ in work for n in nights if iv.overlap(n)]
    if not night_work or sum(iv.minutes for iv in merge(iv for iv, _ in work)) \
            <= limits.night_work_limit:
        return []  # no night work, or not enough work in all to pass the limit anywhere
    if limits.night_period == "duty":
        return _r13_per_duty(driver, duties, night_work, tz, limits)
    found: dict[tuple[str, ...], Violation] = {}
    for nw in night_work:
        lo, hi = nw.start - 1439, nw.end - 1
        candidates = {lo, hi}
        for iv, _ in work:
            candidates.update(c for c in (iv.start, iv.end, iv.start - 1440, iv.end - 1440)
                              if lo <= c <= hi)
        best = None
        for t in sorted(candidates):
            total, members = _in_window(work, t)
            if total > limits.night_work_limit and any(p.planned for p in members) and \
                    (best is None or total > best[0]):
                best = (total, t, members)
        if best is not None:
            total, t, members = best
            v = fail("R13", driver, members, total, limits.night_work_limit,
                   f"{driver}: {total} min of work in the 24 h from {iso(t, tz)}, which hold "
                   f"night work from {iso(nw.start, tz)} > {limits.night_work_limit}")
            if v.shifts not in found or (found[v.shifts].measured or 0) < total:
                found[v.shifts] = v
    return [found[k] for k in sorted(found)]


def _near(work: list[tuple[Interval, Period]],
          planned: Sequence[Period]) -> list[tuple[Interval, Period]]:
    """The work that can share a 24-hour window with planned work: only such windows are
    reported, and a long recorded history (16 weeks for R14) would otherwise make every
    judgement scan every night of it."""
    reach = [Interval(p.start - 1440, p.end + 1440) for p in planned]
    return [(iv, p) for iv, p in work if any(iv.overlap(r) for r in reach)]


def _r13_per_duty(driver: str, duties: Sequence[Sequence[Period]], night_work: list[Interval],
                  tz: tzinfo, limits: Limits) -> list[Violation]:
    found = []
    for duty in duties:
        if not any(p.planned for p in duty):
            continue
        spans = [iv for p in duty for iv in work_spans(p) or ()]
        if not any(iv.overlap(n) for iv in spans for n in night_work):
            continue
        total = sum(iv.minutes for iv in spans)
        if total > limits.night_work_limit:
            found.append(fail("R13", driver, duty, total, limits.night_work_limit,
                            f"{driver}: duty from {iso(duty[0].start, tz)} holds night work "
                            f"and works {total} min > {limits.night_work_limit}"))
    return found

"""Rests: R5 daily rest and R6 weekly rest interval (EU 561/2006 art. 4(g), 8)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from cutover.roster.model import (
    iso,
)
from cutover.roster.rules.findings import MISSING, Violation, fail
from cutover.roster.rules.limits import Limits
from cutover.roster.rules.timelines import Period

BREAK, REGULAR, SPLIT, REDUCED, WEEKLY = "break", "regular", "split", "reduced", "weekly"


def _gaps(periods: Sequence[Period]) -> list[tuple[int, Period, Period]]:
    """(time off, the period holding the latest end so far, the next period) in start order."""
    out = []
    holder = None
    for p in periods:
        if holder is not None:
            out.append((p.start - holder.end, holder, p))
        if holder is None or p.end > holder.end:
            holder = p
    return out


def classify_gaps(periods: Sequence[Period],
                  limits: Limits) -> list[tuple[int, Period, Period, str]]:
    """Every gap in start order with what it is: a break inside a duty (below the reduced
    daily rest: a split duty, "geteilter Dienst"), a regular, split-regular, reduced daily
    or weekly rest.

    Split regular daily rest, EU 561/2006 art. 4(g): a gap of >= `split_rest_second` (540)
    ending a duty that already held a gap of >= `split_rest_first` (180) is regular, 3 h then
    9 h in that order; the same 9 h before the 3 h is a reduced rest.
    """
    out = []
    longest_inside = 0
    for gap, a, b in _gaps(periods):
        if gap < limits.reduced_daily_rest:
            longest_inside = max(longest_inside, gap)
            kind = BREAK
        else:
            if gap >= limits.reduced_weekly_rest:
                kind = WEEKLY
            elif gap >= limits.daily_rest:
                kind = REGULAR
            elif longest_inside >= limits.split_rest_first and gap >= limits.split_rest_second:
                kind = SPLIT
            else:
                kind = REDUCED
            longest_inside = 0
        out.append((gap, a, b, kind))
    return out


def reduced_rests(periods: Sequence[Period], limits: Limits) -> list[tuple[int, Period, Period]]:
    """Reduced daily rests (not split-regular) that touch a planned shift."""
    return [(gap, a, b) for gap, a, b, kind in classify_gaps(periods, limits)
            if kind == REDUCED and (a.planned or b.planned)]


def r5_daily_rest(driver: str, periods: Sequence[Period], tz: tzinfo,
                  limits: Limits) -> list[Violation]:
    """R5: at most 3 reduced daily rests between two weekly rests (EU 561/2006 art. 8(4)).

    A gap shorter than the reduced daily rest is no rest at all but a break inside one duty
    (a split duty); the duty's spread and working time (R10), breaks (R8, R12) and driving
    (R1, R4) judge it. R10's spread of at most 780 minutes followed by a rest of at least 660
    also keeps every daily rest within 24 h of the previous one (art. 8(2)).
    """
    found = []
    segment: list[tuple[int, Period, Period]] = []
    segments = [segment]
    for gap, a, b, kind in classify_gaps(periods, limits):
        if kind == WEEKLY:
            segment = []
            segments.append(segment)
        elif kind == REDUCED:
            segment.append((gap, a, b))
    for seg in segments:
        involved = [p for _, a, b in seg for p in (a, b)]
        if len(seg) > limits.reduced_rests_between_weekly and any(p.planned for p in involved):
            found.append(fail("R5", driver, involved, len(seg), limits.reduced_rests_between_weekly,
                            f"{driver}: {len(seg)} reduced daily rests between two weekly rests "
                            f"(from {iso(seg[0][1].end, tz)}) > "
                            f"{limits.reduced_rests_between_weekly}"))
    return found


def r6_weekly_rest(driver: str, periods: Sequence[Period], has_history: bool, tz: tzinfo,
                   limits: Limits) -> list[Violation]:
    """R6: from the end of one weekly rest to the start of the next at most 8640 minutes."""
    planned = [p for p in periods if p.planned]
    if not has_history:
        return [fail("R6", driver, planned, None, limits.weekly_rest_interval,
                   f"{driver}: the instance has no history to find the last weekly rest",
                   MISSING)]
    blocks: list[list[Period]] = [[periods[0]]]
    for gap, _, b in _gaps(periods):
        if gap >= limits.reduced_weekly_rest:
            blocks.append([b])
        else:
            blocks[-1].append(b)
    found = []
    for block in blocks:
        span = max(p.end for p in block) - block[0].start
        if span > limits.weekly_rest_interval and any(p.planned for p in block):
            found.append(fail("R6", driver, block, span, limits.weekly_rest_interval,
                            f"{driver}: {span} min from {iso(block[0].start, tz)} without a "
                            f"weekly rest of {limits.reduced_weekly_rest} min "
                            f"> {limits.weekly_rest_interval}"))
    return found

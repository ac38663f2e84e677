"""The CP-SAT model's rules for one driver whose week is known: solved by arithmetic.

A sick-call repair asks, hundreds of times, whether the model would let one driver work one
set of shifts (`chains.py`). With every assignment fixed, each of the driver's constraints in
`cpmodel.ModelBuilder.driver_rules` leaves only its auxiliary variables free (the weekly
rest's start r and block start b, R11's second rest q, the overtime), and each of those has a
value exactly when an integer lies in an interval outside a few open intervals. Evaluating
that takes microseconds where building and solving a one-driver CP-SAT model takes a
millisecond. The answers are the model's, constraint by constraint (`fits` mirrors
`driver_rules` with every shift a candidate forced to 1, `frozen` the probe of
`cpmodel.is_frozen`); tests/roster/test_solver_speedups.py checks them against CP-SAT itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from itertools import pairwise

from cutover.roster.model import Shift
from sandbox.solver.problem import Problem


def fits(problem: Problem, driver: str, shift_ids: Sequence[str]) -> bool:
    """Whether the model accepts `driver` working exactly these shifts (`cpmodel.driver_fits`),
    remembered per (driver, shifts)."""
    key = (driver, tuple(sorted(shift_ids)))
    memo = problem.fit_memo
    if key not in memo:
        shifts = sorted((problem.shift(s) for s in key[1]), key=lambda s: (s.start, s.id))
        memo[key] = (all(driver in problem.eligible[s.id] for s in shifts)
                     and (not shifts or _rules_hold(problem, driver, shifts)))
    return memo[key]


def frozen(problem: Problem, driver: str, shift_ids: Sequence[str]) -> bool:
    """Whether the driver's fixed shifts alone break the model (`cpmodel.is_frozen`): its
    probe holds only the weekly rest (R6) and R11, the rules that only look at fixed shifts."""
    key = (driver, tuple(sorted(shift_ids)))
    if key not in problem.frozen_memo:
        shifts = sorted((problem.shift(s) for s in key[1]), key=lambda s: (s.start, s.id))
        problem.frozen_memo[key] = bool(shifts) and not (
            _weekly_rest(problem, driver, shifts, fixed=True)
            and _two_weekly_rests(problem, driver, shifts, fixed=True))
    return problem.frozen_memo[key]


def _rules_hold(problem: Problem, driver: str, shifts: list[Shift]) -> bool:
    """`driver_rules` for these shifts, all candidates set to 1."""
    rest = problem.limits.daily_rest
    for a, b in pairwise(shifts):
        if b.start < a.end + rest:  # R0/R5: extended intervals overlap (start-sorted)
            return False
    for i, a in enumerate(shifts):  # R13: `night_partners` within the week, pair by pair
        for b in shifts[i + 1:]:
            if b.start - a.end >= 1440:
                break
            if problem.night_pair(a.id, b.id):
                return False
    contract = problem.instance.driver_by_id[driver].contract_minutes_week
    if contract is not None and sum(problem.work[s.id] for s in shifts) - contract > 7 * 1440:
        return False  # the overtime variable's domain
    return (_weekly_sums(problem, driver, shifts)
            and _weekly_rest(problem, driver, shifts, fixed=False)
            and _two_weekly_rests(problem, driver, shifts, fixed=False))


def _weekly_sums(problem: Problem, driver: str, shifts: list[Shift]) -> bool:
    """`ModelBuilder._weekly_sums` with constants: R7 and R14 per working week, R2 and R1's
    extended days per start week, R3 per pair of weeks."""
    lim, hist = problem.limits, problem.history[driver]
    work: dict[date, int] = defaultdict(int)
    for s in shifts:
        for week, minutes in problem.work_week[s.id].items():
            work[week] += minutes
    for week in sorted(work):
        if work[week] + hist.work.get(week, 0) > lim.weekly_work:
            return False
        ref = [week - timedelta(days=7 * k) for k in range(lim.average_reference_weeks)]
        total = sum(work.get(w, 0) + hist.work.get(w, 0) for w in ref)
        if total > lim.average_week_work * lim.average_reference_weeks:
            return False
    drive: dict[date, int] = defaultdict(int)
    extended: dict[date, int] = defaultdict(int)
    for s in shifts:
        week = problem.week[s.id]
        drive[week] += problem.drive[s.id]
        extended[week] += int(problem.drive[s.id] > lim.daily_drive)
    for week in sorted(drive):
        if drive[week] + hist.drive.get(week, 0) > lim.weekly_drive:
            return False
        if extended[week] and extended[week] + hist.extended.get(week, 0) \
                > lim.extended_days_per_week:
            return False
    seven = timedelta(days=7)
    for first in sorted({w - seven for w in drive} | set(drive)):
        pair = (first, first + seven)
        if sum(drive.get(w, 0) + hist.drive.get(w, 0) for w in pair) > lim.fortnight_drive:
            return False
    return True


def _weekly_rest(problem: Problem, driver: str, shifts: list[Shift], fixed: bool) -> bool:
    """`WeeklyRests.weekly_rest`: some r in [floor, b + 8640] whose rest [r, r + 2700) misses
    every work period, b being the start of the block before it."""
    lim, hist = problem.limits, problem.history[driver]
    first = shifts[0].start
    chained = hist.last_end is not None and first - hist.last_end < lim.regular_weekly_rest
    earliest = hist.block_start if chained and hist.block_start is not None else first
    last = max(s.end for s in shifts)
    if last - earliest <= lim.weekly_rest_interval:
        return True
    after = lim.regular_weekly_rest + lim.weekly_rest_interval
    h_lo, h_hi, h_floor, h_spans = _history_facts(problem, driver)
    lo = min(first, h_lo) - after - lim.regular_weekly_rest
    hi = max(last, h_hi)
    chain_end = (hist.last_end or 0) + lim.regular_weekly_rest
    block = hist.block_start
    begins = [hi]
    for s in shifts:
        if block is None or s.start >= chain_end:
            begins.append(s.start)
        else:
            begins.append(block if fixed else min(block, s.start))
    floor = max(lo, h_floor, max(s.end for s in shifts) - after)
    ceiling = min(hi, min(begins) + lim.weekly_rest_interval)
    return _point_outside(floor, ceiling, [*h_spans, *((s.start - lim.regular_weekly_rest, s.end)
                                                       for s in shifts)])


def _history_facts(problem: Problem, driver: str) -> tuple[int, int, int, list[tuple[int, int]]]:
    """What R6 takes from a driver's history, once per driver: its first start, last end, the
    floor its duties put under the rest, and the forbidden rest starts of the duties that can
    lie above that floor (16 weeks of history hold about 80 duties; only the last few count)."""
    if driver not in problem.rest_facts:
        lim, periods = problem.limits, problem.history[driver].periods
        after = lim.regular_weekly_rest + lim.weekly_rest_interval
        big = 1 << 62
        h_floor = max((p.end - after for p in periods), default=-big)
        problem.rest_facts[driver] = (
            min((p.start for p in periods), default=big), max((p.end for p in periods),
                                                              default=-big),
            h_floor, [(p.start - lim.regular_weekly_rest, p.end) for p in periods
                      if p.end > h_floor])
    return problem.rest_facts[driver]


def _two_weekly_rests(problem: Problem, driver: str, shifts: list[Shift], fixed: bool) -> bool:
    """`WeeklyRests.two_weekly_rests`: some q from the first shift to the end of the week
    less a regular rest whose rest [q, q + 2700) misses every shift; for candidates (not
    `fixed`) also none within a regular rest of the history's end when the history holds no
    regular rest, and none at all when no such q can lie in the week."""
    lim, hist, view = problem.limits, problem.history[driver], problem.view
    if view.start is None or hist.rest_from is None or hist.regular_rests >= 2:
        return True
    regular = lim.regular_weekly_rest
    if not fixed and hist.regular_rests == 0 \
            and any(s.start < hist.rest_from + regular for s in shifts):
        return False
    lo, hi = shifts[0].start, view.end - regular
    if hi < lo:
        return fixed  # the model sets every candidate to 0 and adds nothing for fixed ones
    return _point_outside(lo, hi, [(s.start - regular, s.end) for s in shifts])


def _point_outside(lo: int, hi: int, forbidden: list[tuple[int, int]]) -> bool:
    """Whether an integer in [lo, hi] lies outside every open interval (a, e).

    Sweeping the intervals by start from lo: the least free integer moves to an interval's
    end while the interval holds it, and is free once the next interval starts above it."""
    point = lo
    for a, e in sorted(iv for iv in forbidden if iv[1] - iv[0] >= 2 and iv[1] > lo):
        if a + 1 > point:
            break
        point = max(point, e)
    return point <= hi

"""A chronological greedy roster: the seed (hint) of the CP-SAT search and its fallback.

Shifts are taken in start order; each goes to the feasible driver with the most contract time
left (ties broken by a seeded shuffle of the driver ids, so the seed matters and the result is
the same in every process). Feasible means every hard rule still holds for that driver with the
same conservative choices as the CP-SAT model: a full 660-minute daily rest (no reduced rests),
weekly and fortnightly sums, at most two extended-driving duties per week, and no stretch of
more than 8640 minutes between weekly rests.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sandbox.solver.problem import Problem
from sandbox.solver.rests import regular_rest_start


@dataclass
class _Load:
    """One driver's running totals while the greedy fills the week."""

    driver: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)
    planned: list[tuple[int, int]] = field(default_factory=list)
    shift_ids: list[str] = field(default_factory=list)
    drive: dict[date, int] = field(default_factory=lambda: defaultdict(int))
    work: dict[date, int] = field(default_factory=lambda: defaultdict(int))
    extended: dict[date, int] = field(default_factory=lambda: defaultdict(int))
    worked: int = 0


def greedy(problem: Problem, seed: int, shifts: Iterable[str],
           fixed: Mapping[str, str] | None = None) -> dict[str, str]:
    """Assign `shifts` (in start order) around the `fixed` assignments; returns only new ones."""
    rng = random.Random(seed)
    order = [d.id for d in problem.drivers]
    rng.shuffle(order)
    rank = {d: i for i, d in enumerate(order)}
    loads = _initial_loads(problem, fixed or {})
    contract = {d.id: d.contract_minutes_week or 0 for d in problem.drivers}
    out: dict[str, str] = {}
    todo = sorted(shifts, key=lambda s: (problem.shift(s).start, s))
    for sid in todo:
        work = problem.work[sid]
        best = None
        for d in problem.eligible[sid]:
            if not _fits(problem, loads[d], sid):
                continue
            key = (max(0, loads[d].worked + work - contract[d]), loads[d].worked - contract[d],
                   rank[d])
            if best is None or key < best[0]:
                best = (key, d)
        if best is not None:
            out[sid] = best[1]
            _add(problem, loads[best[1]], sid)
    return out


def _initial_loads(problem: Problem, fixed: Mapping[str, str]) -> dict[str, _Load]:
    loads = {d.id: _Load(driver=d.id) for d in problem.drivers}
    for d, hist in problem.history.items():
        load = loads[d]
        load.spans.extend((p.start, p.end) for p in hist.periods)
        for week, value in hist.drive.items():
            load.drive[week] += value
        for week, value in hist.work.items():
            load.work[week] += value
        for week, value in hist.extended.items():
            load.extended[week] += value
    for sid in sorted(fixed):
        _add(problem, loads[fixed[sid]], sid)
    return loads


def _add(problem: Problem, load: _Load, sid: str) -> None:
    shift = problem.shift(sid)
    week = problem.week[sid]
    load.spans.append((shift.start, shift.end))
    load.spans.sort()
    load.planned.append((shift.start, shift.end))
    load.shift_ids.append(sid)
    load.drive[week] += problem.drive[sid]
    load.work[week] += problem.work[sid]
    load.worked += problem.work[sid]
    if problem.drive[sid] > problem.limits.daily_drive:
        load.extended[week] += 1


def _fits(problem: Problem, load: _Load, sid: str) -> bool:
    """Whether the driver can take the shift without breaking a rule."""
    lim = problem.limits
    shift = problem.shift(sid)
    rest = lim.daily_rest
    if any(not (shift.start >= e + rest or shift.end + rest <= s) for s, e in load.spans):
        return False
    week = problem.week[sid]
    drive, work = problem.drive[sid], problem.work[sid]
    if load.drive[week] + drive > lim.weekly_drive or load.work[week] + work > lim.weekly_work:
        return False
    if drive > lim.daily_drive and load.extended[week] >= lim.extended_days_per_week:
        return False
    seven = timedelta(days=7)
    for pair in ((week - seven, week), (week, week + seven)):
        if load.drive.get(pair[0], 0) + load.drive.get(pair[1], 0) + drive > lim.fortnight_drive:
            return False
    if _block_span(load.spans, (shift.start, shift.end),
                   lim.regular_weekly_rest) > lim.weekly_rest_interval:
        return False
    return _two_rests(problem, load, sid) and not _night(problem, load, sid)


def _two_rests(problem: Problem, load: _Load, sid: str) -> bool:
    """R11 as the model has it: a regular rest after the first shift, and one before it when
    the history holds none."""
    hist, lim = problem.history[load.driver], problem.limits
    if hist.rest_from is None or hist.regular_rests >= 2:
        return True
    shift = problem.shift(sid)
    if hist.regular_rests == 0 and shift.start < hist.rest_from + lim.regular_weekly_rest:
        return False
    planned = sorted([*load.planned, (shift.start, shift.end)])
    return regular_rest_start(planned, problem.view.end, lim.regular_weekly_rest) is not None


def _night(problem: Problem, load: _Load, sid: str) -> bool:
    """R13 with the driver's shifts within a day of this one (pairwise, as in the model)."""
    shift = problem.shift(sid)
    return any(problem.shift(s).start < shift.end + 1440
               and problem.shift(s).end > shift.start - 1440
               and problem.night_pair(sid, s) for s in load.shift_ids)


def _block_span(spans: list[tuple[int, int]], new: tuple[int, int], weekly_rest: int) -> int:
    """Span of the block (work between weekly rests) that `new` would belong to."""
    blocks: list[list[int]] = []  # [start, latest end, holds new]
    for span in sorted([*spans, new]):
        if not blocks or span[0] - blocks[-1][1] >= weekly_rest:
            blocks.append([span[0], span[1], 0])
        blocks[-1][1] = max(blocks[-1][1], span[1])
        if span == new:
            blocks[-1][2] = 1
    return next(b[1] - b[0] for b in blocks if b[2])

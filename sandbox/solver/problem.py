"""The static part of a rostering problem: who may work which shift, and the history's weight.

Built once per instance from sorted lists, so every model and greedy pass that reads it sees the
same order in every process. A driver x shift pair is *eligible* when the oracle could accept
it on its own: the shift is workable as a lone duty (R1, R4, R8, R10 via the oracle), the driver
holds the qualification, is at the site, is not absent or unavailable, and keeps a full daily
rest to every history duty. Without `history` nothing is eligible: the oracle fails R3 and R6
closed, so no assignment could pass.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from cutover.roster.model import Driver, Instance, Interval, Shift, week_of
from cutover.roster.rules import Limits, Period, lone_shift_violations, split_duties


@dataclass(frozen=True)
class DriverHistory:
    """What a driver's history imposes on the week: sums per week and the open block."""

    periods: tuple[Period, ...]
    drive: dict[date, int]  # history drive minutes per local week
    work: dict[date, int]  # history working minutes per local week
    extended: dict[date, int]  # history duties over the daily drive limit per week
    block_start: int | None  # start of the last block of history duties (R6)
    last_end: int | None


@dataclass(frozen=True)
class Problem:
    """Sorted shifts and drivers with the static eligibility the models and greedy share."""

    instance: Instance
    limits: Limits
    tz: tzinfo
    shifts: tuple[Shift, ...]  # by (start, id)
    drivers: tuple[Driver, ...]  # by id
    week: dict[str, date]  # shift id -> local week
    work: dict[str, int]  # shift id -> working minutes
    drive: dict[str, int]
    eligible: dict[str, tuple[str, ...]]  # shift id -> driver ids, sorted
    history: dict[str, DriverHistory]

    def shift(self, shift_id: str) -> Shift:
        return self.instance.shift_by_id[shift_id]


def build_problem(instance: Instance, limits: Limits) -> Problem:
    """Precompute eligibility and history sums for an instance."""
    tz = instance.tz
    shifts = tuple(sorted(instance.shifts, key=lambda s: (s.start, s.id)))
    drivers = tuple(sorted(instance.drivers, key=lambda d: d.id))
    history = {d.id: _history(instance, d.id, tz, limits) for d in drivers}
    workable = {s.id for s in shifts if _workable(s, tz, limits)}
    blocked = _blocked_spans(instance)
    eligible = {}
    for s in shifts:
        ok = []
        if s.id in workable and instance.history is not None:
            ok = [d.id for d in drivers if _eligible(s, d, blocked[d.id], history[d.id], limits)]
        eligible[s.id] = tuple(ok)
    return Problem(
        instance=instance, limits=limits, tz=tz, shifts=shifts, drivers=drivers,
        week={s.id: week_of(s.start, tz) for s in shifts},
        work={s.id: s.span.minutes - sum(b.minutes for b in s.breaks or ()) for s in shifts},
        drive={s.id: s.drive_minutes or 0 for s in shifts},
        eligible=eligible, history=history,
    )


def _workable(shift: Shift, tz: tzinfo, limits: Limits) -> bool:
    """A shift with known inputs that breaks no per-duty rule when worked alone."""
    if shift.drive_minutes is None or shift.breaks is None:
        return False
    return not lone_shift_violations(shift, tz, limits)


def _blocked_spans(instance: Instance) -> dict[str, list[Interval]]:
    out: dict[str, list[Interval]] = {d.id: list(d.unavailable) for d in instance.drivers}
    for a in instance.absences:
        out[a.driver].append(a.span)
    return out


def _eligible(shift: Shift, driver: Driver, blocked: list[Interval], history: DriverHistory,
              limits: Limits) -> bool:
    if shift.qualification not in driver.qualifications:
        return False
    if not limits.allow_cross_site and shift.site != driver.site:
        return False
    if any(b.overlap(shift.span) for b in blocked):
        return False
    if any(h.drive is None for h in history.periods):
        return False  # the oracle fails R3 closed for this driver
    rest = limits.daily_rest
    return all(shift.start >= h.end + rest or shift.end + rest <= h.start
               for h in history.periods)


def _history(instance: Instance, driver: str, tz: tzinfo, limits: Limits) -> DriverHistory:
    periods = tuple(sorted(
        (Period(h.span.start, h.span.end, h.drive_minutes, (), None)
         for h in instance.history or () if h.driver == driver),
        key=lambda p: (p.start, p.end)))
    drive: dict[date, int] = defaultdict(int)
    work: dict[date, int] = defaultdict(int)
    extended: dict[date, int] = defaultdict(int)
    for p in periods:
        drive[week_of(p.start, tz)] += p.drive or 0
        work[week_of(p.start, tz)] += p.end - p.start
    for duty in split_duties(periods, limits):
        if sum(p.drive or 0 for p in duty) > limits.daily_drive:
            extended[week_of(duty[0].start, tz)] += 1
    block_start = last_end = None
    for p in periods:
        if last_end is None or p.start - last_end >= limits.reduced_weekly_rest:
            block_start = p.start
        last_end = p.end if last_end is None else max(last_end, p.end)
    return DriverHistory(periods, dict(drive), dict(work), dict(extended), block_start, last_end)


def previous_week(week: date) -> date:
    """The Monday before."""
    return week - timedelta(days=7)

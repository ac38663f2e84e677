"""The static part of a rostering problem: who may work which shift, and the history's weight.

Built once per instance from sorted lists, so every model and greedy pass that reads it sees the
same order in every process. A driver x shift pair is *eligible* when the oracle could accept
it on its own: the shift is workable as a lone duty (R1, R4, R8, R10 via the oracle), the driver
holds the qualification, is at the site, is not absent or unavailable, and keeps a full daily
rest to every history duty. Without `history` nothing is eligible: the oracle fails R3 and R6
closed, so no assignment could pass.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo

from cutover.roster.model import Driver, Instance, Interval, Shift, week_of, week_start_minute
from cutover.roster.rules import Limits
from cutover.roster.rules.check import lone_shift_violations, night_violations
from cutover.roster.rules.night import night_time
from cutover.roster.rules.timelines import (
    Period,
    View,
    shift_period,
    split_by_week,
    split_duties,
    view_of,
    work_spans,
)


@dataclass(frozen=True)
class DriverHistory:
    """What a driver's history imposes on the week: sums per week and the open block."""

    periods: tuple[Period, ...]
    drive: dict[date, int]  # history drive minutes per local week
    work: dict[date, int]  # history working minutes per local week
    extended: dict[date, int]  # history duties over the daily drive limit per week
    block_start: int | None  # start of the last block of history duties (R6)
    last_end: int | None
    regular_rests: int = 0  # regular weekly rests of the history reaching into R11's pair
    rest_from: int | None = None  # where the rest before the first assigned shift begins


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
    view: View  # the recorded past (history_weeks back) to the end of the week
    work_week: dict[str, dict[date, int]]  # shift id -> working minutes per local week (R7)
    night: frozenset[str]  # shifts with working minutes in the night time (R13)
    pair_start: int  # local Monday 00:00 of the week before the instance week (R11's pair)
    night_memo: dict[tuple[str, str], bool] = field(
        default_factory=dict, compare=False, repr=False)
    starts: tuple[tuple[int, str], ...] = ()  # (start, id) of `shifts`, for bisecting
    partners: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    probe_memo: dict[tuple[str, tuple[str, ...]], bool] = field(
        default_factory=dict, compare=False, repr=False)  # (driver, fixed) -> frozen
    fit_memo: dict[tuple[str, tuple[str, ...]], bool] = field(
        default_factory=dict, compare=False, repr=False)  # (driver, shifts) -> model accepts
    frozen_memo: dict[tuple[str, tuple[str, ...]], bool] = field(
        default_factory=dict, compare=False, repr=False)  # (driver, fixed) -> frozen
    rest_facts: dict[str, tuple[int, int, int, list[tuple[int, int]]]] = field(
        default_factory=dict, compare=False, repr=False)  # driver -> R6 history facts

    def shift(self, shift_id: str) -> Shift:
        return self.instance.shift_by_id[shift_id]

    def night_pair(self, a: str, b: str) -> bool:
        """Whether R13 fails for one driver working shifts a and b (and nothing else near).

        Pairs are all R13 needs in the model: every candidate keeps a full daily rest (660)
        to every other work period of its driver (history, fixed and candidate shifts), so
        no 24 h window reaches three of them while no shift is shorter than 120 minutes
        (660 + 120 + 660 = 1440; the oracle judges every plan whatever its shifts). Lone
        shifts and history are judged by eligibility already. Answers do not depend on the
        driver, so each pair is judged once per problem, in every stage and search.
        """
        key = (a, b) if a <= b else (b, a)
        if key not in self.night_memo:
            sa, sb = sorted((self.shift(a), self.shift(b)), key=lambda s: (s.start, s.id))
            self.night_memo[key] = (
                (a in self.night or b in self.night) and sb.start - sa.end < 1440
                and self.work[a] + self.work[b] > self.limits.night_work_limit
                and bool(night_violations("", [shift_period(sa), shift_period(sb)], self.tz,
                                          self.limits)))
        return self.night_memo[key]


    def night_partners(self, a: str) -> tuple[str, ...]:
        """The later shifts that R13 forbids one driver to work with `a` although they keep
        a daily rest to it (`night_pair`), computed once per shift when first asked."""
        if a not in self.partners:
            sa, rest = self.shift(a), self.limits.daily_rest
            i = bisect.bisect_left(self.starts, (sa.end + rest, ""))
            found = []
            for sb in self.shifts[i:]:
                if sb.start - sa.end >= 1440:
                    break
                if self.night_pair(a, sb.id):
                    found.append(sb.id)
            self.partners[a] = tuple(found)
        return self.partners[a]


def build_problem(instance: Instance, limits: Limits) -> Problem:
    """Precompute eligibility and history sums for an instance."""
    tz = instance.tz
    shifts = tuple(sorted(instance.shifts, key=lambda s: (s.start, s.id)))
    drivers = tuple(sorted(instance.drivers, key=lambda d: d.id))
    history = {d.id: _history(instance, d.id, tz, limits) for d in drivers}
    workable = {s.id for s in shifts if _workable(s, tz, limits)}
    blocked = _blocked_spans(instance)
    eligible = {}
    has_past = instance.history is not None and instance.history_weeks >= 1
    work_week = {s.id: _work_week(s, tz) for s in shifts}
    # history ending a daily rest and a day before the first shift can neither block a shift's
    # daily rest nor share a 24 h window with it: only the rest is looked at per pair
    reach = min((s.start for s in shifts), default=0) - max(limits.daily_rest, 1440)
    recent = {d: tuple(h for h in history[d].periods if h.end > reach) for d in history}
    unknown = {d for d in history if any(h.drive is None for h in history[d].periods)}
    covered = {d.id: _covered_weeks(instance, d.id, limits) for d in drivers}
    for s in shifts:
        ok = []
        if s.id in workable and has_past:
            ok = [d.id for d in drivers
                  if d.id not in unknown and set(work_week[s.id]) <= covered[d.id]
                  and _eligible(s, d, blocked[d.id], recent[d.id], limits, tz)]
        eligible[s.id] = tuple(ok)
    return Problem(
        instance=instance, limits=limits, tz=tz, shifts=shifts, drivers=drivers,
        starts=tuple((s.start, s.id) for s in shifts),
        week={s.id: week_of(s.start, tz) for s in shifts},
        work={s.id: s.span.minutes - sum(b.minutes for b in s.breaks or ()) for s in shifts},
        drive={s.id: s.drive_minutes or 0 for s in shifts},
        eligible=eligible, history=history, view=view_of(instance),
        work_week=work_week,
        night=frozenset(s.id for s in shifts if _at_night(s, tz, limits)),
        pair_start=week_start_minute(instance.week_start - timedelta(days=7), tz),
    )


def _work_week(shift: Shift, tz: tzinfo) -> dict[date, int]:
    """Working minutes of a shift per local week, cut at Monday 00:00 as R7 does."""
    out: dict[date, int] = defaultdict(int)
    for iv in work_spans(shift_period(shift)) or ():
        for week, minutes in split_by_week(iv, tz):
            out[week] += minutes
    return dict(out)


def _at_night(shift: Shift, tz: tzinfo, limits: Limits) -> bool:
    """Whether any working minute of the shift lies in the night time."""
    spans = work_spans(shift_period(shift)) or [shift.span]
    nights = night_time(shift.start, shift.end, tz, limits)
    return any(iv.overlap(n) for iv in spans for n in nights)


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


def _eligible(shift: Shift, driver: Driver, blocked: list[Interval],
              recent: tuple[Period, ...], limits: Limits, tz: tzinfo) -> bool:
    """The pair's static checks; `recent` is the driver's history that can reach the week
    (a driver with a history duty of unknown driving is never eligible: the oracle fails R3
    closed for them)."""
    if shift.qualification not in driver.qualifications:
        return False
    if not limits.allow_cross_site and shift.site != driver.site:
        return False
    if any(b.overlap(shift.span) for b in blocked):
        return False
    rest = limits.daily_rest
    if not all(shift.start >= h.end + rest or shift.end + rest <= h.start for h in recent):
        return False
    near = [h for h in recent if h.end > shift.start - 1440 and h.start < shift.end + 1440]
    if near:  # R13 with the history alone
        periods = sorted([*near, shift_period(shift)], key=lambda p: (p.start, p.end))
        if night_violations(driver.id, periods, tz, limits):
            return False
    return True


def _covered_weeks(instance: Instance, driver: str, limits: Limits) -> set[date]:
    """The local weeks in which the driver may work as far as R14 is concerned: all of them,
    unless R14 fails closed (`average_requires_history`) and the driver's recorded history
    does not reach back over the reference period ending with the week."""
    weeks = {instance.week_start + timedelta(days=7 * k) for k in (-1, 0, 1)}
    if not limits.average_requires_history:
        return weeks
    start = instance.driver_view_start(driver)
    back = timedelta(days=7 * (limits.average_reference_weeks - 1))
    return {w for w in weeks if start is not None
            and start <= week_start_minute(w - back, instance.tz)}


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
        for week, minutes in split_by_week(p.span, tz):  # R7 cuts at Monday 00:00 local
            work[week] += minutes
    for duty in split_duties(periods, limits):
        if sum(p.drive or 0 for p in duty) > limits.daily_drive:
            extended[week_of(duty[0].start, tz)] += 1
    block_start = last_end = None
    for p in periods:  # blocks split by regular weekly rests only: the model plans no reduced
        if last_end is None or p.start - last_end >= limits.regular_weekly_rest:
            block_start = p.start
        last_end = p.end if last_end is None else max(last_end, p.end)
    held, latest = _history_rests(instance, driver, periods, limits)
    return DriverHistory(periods, dict(drive), dict(work), dict(extended), block_start, last_end,
                         held, latest)


def _history_rests(instance: Instance, driver: str, periods: tuple[Period, ...],
                   limits: Limits) -> tuple[int, int | None]:
    """R11: the history's regular weekly rests that reach into the previous week (from the
    start of the driver's recorded past to its first duty, between its duties, and after its
    last duty when that rest already reaches 45 h at Monday 00:00: whatever the plan holds,
    it is a regular rest of the pair), and where the rest after its last duty begins."""
    start = instance.driver_view_start(driver)
    if start is None:
        return 0, None
    pair_start = week_start_minute(instance.week_start - timedelta(days=7), instance.tz)
    held, latest = 0, start
    for p in periods:
        if p.start - latest >= limits.regular_weekly_rest and p.start > pair_start:
            held += 1
        latest = max(latest, p.end)
    if instance.horizon().start - latest >= limits.regular_weekly_rest:
        held += 1
    return held, latest


def previous_week(week: date) -> date:
    """The Monday before."""
    return week - timedelta(days=7)

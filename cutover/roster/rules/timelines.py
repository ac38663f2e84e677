"""Work periods, a driver's timeline, duties and working-time intervals: what every rule reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo

from cutover.roster.model import (
    Instance,
    Interval,
    Plan,
    Shift,
    week_of,
    week_start_minute,
)
from cutover.roster.rules.limits import Limits


@dataclass(frozen=True)
class Period:
    """A work period: a planned shift (`shift` set) or a history entry (`shift` None)."""

    start: int
    end: int
    drive: int | None
    breaks: tuple[Interval, ...] | None
    shift: str | None

    @property
    def planned(self) -> bool:
        return self.shift is not None

    @property
    def span(self) -> Interval:
        return Interval(self.start, self.end)

    @property
    def work(self) -> int | None:
        """Working minutes: the span less its breaks (history: the whole span)."""
        if not self.planned:
            return self.end - self.start
        if self.breaks is None:
            return None
        return self.end - self.start - sum(b.minutes for b in self.breaks)


def shift_period(shift: Shift) -> Period:
    """The work period of a planned shift."""
    return Period(shift.start, shift.end, shift.drive_minutes, shift.breaks, shift.id)


@dataclass(frozen=True)
class View:
    """What the instance can see: the recorded past from `start` (None: no history) to `end`;
    `driver_starts` where a driver's own record begins later (its `history_weeks`)."""

    start: int | None
    end: int
    driver_starts: Mapping[str, int | None] = field(default_factory=dict, compare=False)

    def of(self, driver: str) -> View:
        """This view narrowed to what `driver`'s record covers."""
        if driver not in self.driver_starts:
            return self
        return View(self.driver_starts[driver], self.end)


def view_of(instance: Instance) -> View:
    """The instance's view: history coverage start to the end of the instance week, narrowed
    per driver where a driver's record is shorter (every caller of `check_driver` judges
    each driver by its own record without knowing about it)."""
    start = instance.view_start()
    short = {d.id: instance.driver_view_start(d.id) for d in instance.drivers
             if d.history_weeks is not None and d.history_weeks < instance.history_weeks}
    return View(start, instance.horizon().end, short)


def timelines(instance: Instance, plan: Plan) -> dict[str, list[Period]]:
    """Each driver's work periods, history and planned (duplicate assignments once), sorted."""
    shifts: dict[str, list[str]] = defaultdict(list)
    for shift_id, driver in sorted({(a.shift, a.driver) for a in plan.assignments}):
        shifts[driver].append(shift_id)
    return {d: driver_timeline(instance, d, ids) for d, ids in shifts.items()}


def driver_timeline(instance: Instance, driver: str, shift_ids: Iterable[str]) -> list[Period]:
    """One driver's history and these planned shifts as work periods, sorted (a planner
    re-judges one driver without rebuilding everyone's timeline)."""
    periods = [Period(h.span.start, h.span.end, h.drive_minutes, (), None)
               for h in instance.history or () if h.driver == driver]
    periods += [shift_period(instance.shift_by_id[s]) for s in shift_ids]
    return sorted(periods, key=lambda p: (p.start, p.end, p.shift or ""))


def split_duties(periods: Sequence[Period], limits: Limits) -> list[list[Period]]:
    """Group sorted periods into duties: a gap below the reduced daily rest does not end a duty."""
    duties: list[list[Period]] = []
    latest_end = None
    for p in periods:
        if latest_end is None or p.start - latest_end >= limits.reduced_daily_rest:
            duties.append([p])
            latest_end = p.end
        else:
            duties[-1].append(p)
            latest_end = max(latest_end, p.end)
    return duties


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of intervals as sorted disjoint intervals (touching ones joined)."""
    out: list[Interval] = []
    for iv in sorted(intervals):
        if out and iv.start <= out[-1].end:
            out[-1] = Interval(out[-1].start, max(out[-1].end, iv.end))
        else:
            out.append(iv)
    return out


def subtract(base: Sequence[Interval], holes: Sequence[Interval]) -> list[Interval]:
    """Sorted disjoint `base` minus sorted disjoint `holes`."""
    out = []
    for iv in base:
        cursor = iv.start
        for h in holes:
            if h.end <= cursor or h.start >= iv.end:
                continue
            if h.start > cursor:
                out.append(Interval(cursor, h.start))
            cursor = max(cursor, h.end)
        if cursor < iv.end:
            out.append(Interval(cursor, iv.end))
    return out


def work_intervals(planned: Sequence[Period]) -> list[Interval]:
    """Working time of planned periods: their union less their breaks (breaks must be known)."""
    spans = merge(p.span for p in planned)
    breaks = merge(b for p in planned for b in p.breaks or ())
    return subtract(spans, breaks)


def work_spans(p: Period) -> list[Interval] | None:
    """Working time of one period (planned: span less breaks; history: the span); None unknown."""
    if not p.planned:
        return [p.span]
    if p.breaks is None:
        return None
    return subtract([p.span], list(p.breaks))


def split_by_week(iv: Interval, tz: tzinfo) -> list[tuple[date, int]]:
    """Minutes of `iv` in each local calendar week it touches (cut at Monday 00:00 local)."""
    out = []
    cursor = iv.start
    while cursor < iv.end:
        week = week_of(cursor, tz)
        end = min(iv.end, week_start_minute(week + timedelta(days=7), tz))
        out.append((week, end - cursor))
        cursor = end
    return out

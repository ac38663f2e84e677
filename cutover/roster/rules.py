"""The hard rules of docs/roster.md, recomputed from a plan and its instance (the roster oracle).

This module is an oracle: it never trusts a number a solver reports and contains no search.
Everything is integer minutes of elapsed (UTC) time; calendar questions use the instance's
timezone, so a DST week has 167 or 169 hours and a DST night is one hour shorter or longer.

Terms used below
----------------
* **work period**: a planned shift assigned to the driver, or one of the driver's `history`
  entries (duties before the instance week). History entries have no breaks: their whole span
  counts as working time and their `drive_minutes` as driving.
* **duty**: a maximal run of a driver's work periods, in start order, where each period starts
  less than `reduced_daily_rest` (540) minutes after the latest end so far, i.e. where the time
  off in between is not even a reduced daily rest. In a plan that meets R5 every shift is a duty
  of its own; two shifts with a short gap form one duty (as EU 561/2006 art. 4 counts "daily"
  driving between two daily rests) and are judged together by R1, R4, R8 and R10.
* **week**: the local calendar week of the instance timezone, Monday 00:00 to Monday 00:00
  (EU 561/2006 art. 4(i)). Driving belongs to the week in which its period starts (the
  interchange format gives drive minutes per shift, not per hour, so they cannot be split at
  midnight); working time is known minute by minute and is split at Monday 00:00 (R7, R14).
* A violation is reported only if it involves at least one planned shift: the history is the
  past and is not the plan's fault. `shifts` lists the planned shift ids involved.
* **Fail closed**: a measurement that needs a missing input (a shift without `drive_minutes`
  or `breaks`, a history entry without `drive_minutes`, an instance without `history`) is
  reported as a violation of that rule with reason "missing input", never passed.

Rules (limits are `Limits` fields; defaults in parentheses)
-----------------------------------------------------------
R0  Assignment integrity: a shift has at most one driver (an assignment listed twice counts
    twice); a shift is either assigned or listed in `uncovered`, not both and not neither;
    a driver's work periods (planned shifts and history) do not overlap (touching is fine);
    the driver holds the shift's qualification; the driver's site equals the shift's site
    unless `allow_cross_site`; the shift does not overlap (by a minute or more) any absence or
    `unavailable` span of the driver.
R1  Daily driving = the sum of drive minutes of a duty. A duty may drive at most
    `daily_drive` (540), or up to `daily_drive_extended` (600) on at most `extended_days_per_week`
    (2) duties per week (duties counted in the week they start, history included). A duty over
    600 is reported on its own and also counts as an extended day.
R2  Weekly driving: drive minutes of the work periods starting in a week <= `weekly_drive` (3360).
R3  Fortnightly driving: for every week holding a planned shift, that week's driving plus the
    previous week's (history included) <= `fortnight_drive` (5400). Needs `history`: an
    instance without the key fails closed for every driver with a planned shift; with the key,
    a driver without entries did not drive in the previous week.
R4  Continuous driving, EU 561/2006 art. 7: within a duty the working time is split by the
    pauses in it (a shift's `breaks`, and the gaps between the shifts of a multi-shift duty).
    A pause of >= `break_full` (45) resets the count, as does a pause of >= `break_split_second`
    (30) that follows an earlier pause of >= `break_split_first` (15) since the last reset.
    The instance gives drive minutes per shift, not their timing, so the measured value is the
    least possible longest driving stretch: the smallest X such that the duty's driving fits into
    its stretches with at most X (and at most the stretch's working minutes) in each. A plan is
    compliant when the driver *can* drive the shift without exceeding `drive_without_break`
    (270) between qualifying breaks; X > 270 is a violation. History periods are not judged.
R5  Daily rest = the gap between a work period's start and the latest end of the driver's
    earlier work periods (history included). A gap below `reduced_daily_rest` (540) is no rest
    but a break inside one duty (a split duty; a negative gap is an overlap, reported by R0).
    A gap in [540, `daily_rest` (660)) is a reduced daily rest, unless it ends a duty that
    already held a gap of >= `split_rest_first` (180): 3 h then 9 h is a regular split rest
    (art. 4(g)), 9 h then 3 h is not. At most `reduced_rests_between_weekly` (3) reduced rests
    between two weekly rests (gaps >= `reduced_weekly_rest`, 1440), over history and plan.
R6  Weekly rest: a gap of >= `reduced_weekly_rest` (1440; a tenant that forbids reduced weekly
    rests sets 2700) is a weekly rest. Between two weekly rests (a "block" of work periods) the
    time from the block's first start to its last end must be <= `weekly_rest_interval` (8640),
    i.e. the next weekly rest starts no later than 8640 minutes after the previous one ended.
    The block still open at the end of the plan is judged too (its rest can only start later).
    `history` is taken as the complete record of the driver's earlier duties: the time before
    its first entry counts as rest. No `history` key: fails closed. Compensation of reduced
    weekly rests (art. 8(6)) is R11's.
R7  Weekly working time: working minutes (span minus breaks; history: whole span) in a local
    week, split at Monday 00:00 local, <= `weekly_work` (3600).
R8  Breaks, Dir. 2002/15/EC art. 5: over a duty, working minutes > `work_needs_first_break`
    (360) need >= `first_break` (30) minutes of pauses, > `work_needs_second_break` (540) need
    >= `second_break` (45); only pauses of >= `min_break_part` (15) minutes count. Pauses are
    the shifts' breaks and the gaps inside a multi-shift duty; history periods are not judged.
R10 Per duty: working minutes (history spans count whole) <= `duty_work` (720); spread (last end
    minus first start) <= `duty_spread` (780).
R11 EU 561/2006 art. 8(6): two weekly rests in any two consecutive weeks, one regular (2700);
    reduced ones compensated before the end of the third week after (`r11_weekly_rests`).
R12 Dir. 2002/15/EC art. 5(1): at most 360 minutes of work in a row (`r12_continuous_work`).
R13 Dir. 2002/15/EC art. 7, AZG: night work => at most 600 working minutes in each 24 h
    (`r13_night_work`; night 00:00-04:00 local, rolling 24 h by default).
R14 Dir. 2002/15/EC art. 4(a), AZG §13b: average week <= 2880 over 17 weeks where the history
    covers them (`r14_average_week`, `not_judged`).
The id R9 is unused; ids are permanent (docs/roster.md maps them to the law).
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta, tzinfo

from cutover.roster.model import (
    Instance,
    Interval,
    Plan,
    Shift,
    from_minute,
    iso,
    local_minute,
    week_of,
    week_start_minute,
)

RULES = ("R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R10", "R11", "R12", "R13", "R14")
MISSING = "missing input"
VIOLATED = "violated"


@dataclass(frozen=True)
class Limits:
    """Rule limits in minutes (EU 561/2006, Dir. 2002/15/EC, AZG); a tenant may tighten them."""

    allow_cross_site: bool = False
    daily_drive: int = 540
    daily_drive_extended: int = 600
    extended_days_per_week: int = 2
    weekly_drive: int = 3360
    fortnight_drive: int = 5400
    drive_without_break: int = 270
    break_full: int = 45
    break_split_first: int = 15
    break_split_second: int = 30
    daily_rest: int = 660
    reduced_daily_rest: int = 540
    reduced_rests_between_weekly: int = 3
    reduced_weekly_rest: int = 1440
    weekly_rest_interval: int = 8640
    weekly_work: int = 3600
    work_needs_first_break: int = 360
    first_break: int = 30
    work_needs_second_break: int = 540
    second_break: int = 45
    min_break_part: int = 15
    duty_work: int = 720
    duty_spread: int = 780
    # split regular daily rest, 561/2006 art. 4(g): 3 h then 9 h, in that order
    split_rest_first: int = 180
    split_rest_second: int = 540
    # R11, 561/2006 art. 8(6)
    regular_weekly_rest: int = 2700
    compensation_weeks: int = 3
    compensation_attached_rest: int = 540
    # R12, Dir. 2002/15/EC art. 5(1)
    work_without_break: int = 360
    # R13, Dir. 2002/15/EC art. 3(j), art. 7; AZG (night time 00:00-04:00 for drivers)
    night_start: int = 0  # minutes after local midnight
    night_end: int = 240
    night_work_limit: int = 600
    night_period: str = "rolling"  # "rolling": every 1440 elapsed minutes; "duty": per duty
    # R14, Dir. 2002/15/EC art. 4(a); AZG §13b: 17 weeks reference period
    average_week_work: int = 2880
    average_reference_weeks: int = 17
    average_requires_history: bool = False  # True: fail closed where history is too short


@dataclass(frozen=True)
class Violation:
    """One broken rule: which, whose, which planned shifts, the measured value and the limit."""

    rule: str
    driver: str | None
    shifts: tuple[str, ...]
    measured: int | None
    limit: int | None
    reason: str
    message: str

    def to_dict(self) -> dict[str, object]:
        doc = asdict(self)
        doc["shifts"] = list(self.shifts)
        return doc

    def sort_key(self) -> tuple[int, str, tuple[str, ...], str]:
        return (RULES.index(self.rule), self.driver or "", self.shifts, self.message)


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


# ---------------------------------------------------------------------------------------------
# entry points


def check_plan(instance: Instance, plan: Plan, limits: Limits | None = None) -> list[Violation]:
    """Every violation of R0..R10 in the plan, sorted by rule, driver, shifts."""
    limits = limits or Limits()
    tz = instance.tz
    found = check_assignments(instance, plan, limits)
    view = View(instance.view_start(), instance.horizon().end)
    for driver, periods in sorted(timelines(instance, plan).items()):
        found.extend(check_driver(driver, periods, instance.history is not None, tz, limits,
                                  view))
    return sorted(found, key=Violation.sort_key)


@dataclass(frozen=True)
class View:
    """What the instance can see: the recorded past from `start` (None: no history) to `end`."""

    start: int | None
    end: int


def view_of(instance: Instance) -> View:
    """The instance's view: history coverage start to the end of the instance week."""
    return View(instance.view_start(), instance.horizon().end)


def not_judged(instance: Instance, plan: Plan, limits: Limits | None = None) -> dict[str, str]:
    """Rules the plan is not judged by, and why (reported beside the violations, never hidden).

    Only R14 can be skipped: where the history does not cover its reference period and the
    tenant did not ask it to fail closed (`average_requires_history`).
    """
    limits = limits or Limits()
    if limits.average_requires_history or not plan.assignments:
        return {}
    if instance.history is not None and \
            instance.history_weeks >= limits.average_reference_weeks - 1:
        return {}
    seen = 0 if instance.history is None else instance.history_weeks
    return {"R14": f"the history covers {seen} of the {limits.average_reference_weeks - 1} "
                   f"weeks before the plan week that the average over "
                   f"{limits.average_reference_weeks} weeks needs; only a total already over "
                   f"{limits.average_week_work} x {limits.average_reference_weeks} min is "
                   f"reported (Dir. 2002/15/EC art. 4(a): where history allows)"}


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


def check_driver(driver: str, periods: Sequence[Period], has_history: bool, tz: tzinfo,
                 limits: Limits, view: View | None = None) -> list[Violation]:
    """R0 overlaps and R1..R14 for one driver's sorted work periods.

    `view` (the recorded past and the end of the instance week) is needed by R11 and R14;
    without it they fail closed.
    """
    found = overlap_violations(driver, periods, tz)
    duties = split_duties(periods, limits)
    for duty in duties:
        if any(p.planned for p in duty):
            found.extend(duty_violations(driver, duty, tz, limits))
    found.extend(r1_extended_days(driver, duties, tz, limits))
    found.extend(r2_weekly_drive(driver, periods, tz, limits))
    found.extend(r3_fortnight_drive(driver, periods, has_history, tz, limits))
    found.extend(r5_daily_rest(driver, periods, tz, limits))
    found.extend(r6_weekly_rest(driver, periods, has_history, tz, limits))
    found.extend(r7_weekly_work(driver, periods, tz, limits))
    found.extend(r11_weekly_rests(driver, periods, view, tz, limits))
    found.extend(r13_night_work(driver, periods, duties, tz, limits))
    found.extend(r14_average_week(driver, periods, view, tz, limits))
    return found


def duty_violations(driver: str, duty: Sequence[Period], tz: tzinfo,
                    limits: Limits) -> list[Violation]:
    """The rules judged per duty: R1 (over the extended limit), R4, R8, R10, R12."""
    checks = (r1_duty_drive, r4_continuous_driving, r8_breaks, r10_duty, r12_continuous_work)
    return [v for check in checks for v in check(driver, duty, tz, limits)]


def lone_shift_violations(shift: Shift, tz: tzinfo,
                          limits: Limits | None = None) -> list[Violation]:
    """Per-duty rules, and R13 on its own, for a shift worked as a duty of its own (a planner
    skips hopeless shifts)."""
    limits = limits or Limits()
    alone = [shift_period(shift)]
    return duty_violations("", alone, tz, limits) + night_violations("", alone, tz, limits)


def night_violations(driver: str, periods: Sequence[Period], tz: tzinfo,
                     limits: Limits) -> list[Violation]:
    """R13 for a sorted list of periods (a planner's conflict test between shifts)."""
    return r13_night_work(driver, periods, split_duties(periods, limits), tz, limits)


# ---------------------------------------------------------------------------------------------
# helpers


def _ids(items: Iterable[Period | str]) -> tuple[str, ...]:
    """Sorted planned shift ids among periods (history has none) and plain ids."""
    ids = {x if isinstance(x, str) else x.shift for x in items}
    return tuple(sorted(i for i in ids if i is not None))


def _v(rule: str, driver: str | None, items: Iterable[Period | str], measured: int | None,
       limit: int | None, message: str, reason: str = VIOLATED) -> Violation:
    return Violation(rule, driver or None, _ids(items), measured, limit, reason, message)


def _at(minute: int, tz: tzinfo) -> str:
    return iso(minute, tz)


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


# ---------------------------------------------------------------------------------------------
# R0


def check_assignments(instance: Instance, plan: Plan, limits: Limits) -> list[Violation]:
    """R0 per shift (drivers per shift, covered xor uncovered) and per assignment (eligibility)."""
    found: list[Violation] = []
    drivers_of: dict[str, list[str]] = defaultdict(list)
    for a in plan.assignments:
        drivers_of[a.shift].append(a.driver)
    uncovered = set(plan.uncovered)
    for shift in sorted(instance.shifts, key=lambda s: s.id):
        held = sorted(drivers_of.get(shift.id, []))
        if len(held) > 1:
            found.append(_v("R0", None, (shift.id,), len(held), 1,
                            f"shift {shift.id} has {len(held)} assignments ({', '.join(held)})"))
        if held and shift.id in uncovered:
            found.append(_v("R0", None, (shift.id,), None, None,
                            f"shift {shift.id} is assigned and also listed as uncovered"))
        if not held and shift.id not in uncovered:
            found.append(_v("R0", None, (shift.id,), None, None,
                            f"shift {shift.id} is neither assigned nor listed as uncovered"))
    for shift_id, driver_id in sorted({(a.shift, a.driver) for a in plan.assignments}):
        found.extend(eligibility_violations(instance, shift_id, driver_id, limits))
    return found


def eligibility_violations(instance: Instance, shift_id: str, driver_id: str,
                           limits: Limits) -> list[Violation]:
    """R0 for one assignment: qualification, site, absences and unavailability."""
    tz = instance.tz
    shift = instance.shift_by_id[shift_id]
    driver = instance.driver_by_id[driver_id]
    ids = (shift.id,)
    found = []
    if shift.qualification not in driver.qualifications:
        found.append(_v("R0", driver_id, ids, None, None,
                        f"{driver_id} lacks qualification {shift.qualification} for {shift.id}"))
    if not limits.allow_cross_site and shift.site != driver.site:
        found.append(_v("R0", driver_id, ids, None, None,
                        f"{driver_id} is based at {driver.site}, shift {shift.id} at {shift.site}"))
    spans = [("absence", a.span, a.reason) for a in instance.absences if a.driver == driver_id]
    spans += [("unavailability", u, "") for u in driver.unavailable]
    for kind, span, reason in sorted(spans, key=lambda t: (t[1], t[0])):
        shared = span.overlap(shift.span)
        if shared:
            why = f" ({reason})" if reason else ""
            found.append(_v("R0", driver_id, ids, shared, 0,
                            f"{shift.id} overlaps {driver_id}'s {kind}{why} from "
                            f"{_at(span.start, tz)} by {shared} min"))
    return found


def overlap_violations(driver: str, periods: Sequence[Period], tz: tzinfo) -> list[Violation]:
    """R0: two work periods of one driver that share a minute."""
    found = []
    for i, p in enumerate(periods):
        for q in periods[i + 1:]:
            if q.start >= p.end:
                break
            if not (p.planned or q.planned):
                continue
            shared = p.span.overlap(q.span)
            names = [x.shift or f"history duty at {_at(x.start, tz)}" for x in (p, q)]
            found.append(_v("R0", driver, (p, q), shared, 0,
                            f"{driver}: {names[0]} and {names[1]} overlap by {shared} min"))
    return found


# ---------------------------------------------------------------------------------------------
# R1, R4, R8, R10: per duty


def _duty_drive(duty: Sequence[Period]) -> int | None:
    drives = [p.drive for p in duty]
    return None if any(d is None for d in drives) else sum(drives)  # type: ignore[misc]


def r1_duty_drive(driver: str, duty: Sequence[Period], tz: tzinfo,
                  limits: Limits) -> list[Violation]:
    """R1: a duty drives at most the extended daily limit."""
    drive = _duty_drive(duty)
    start = _at(duty[0].start, tz)
    if drive is None:
        return [_v("R1", driver, duty, None, limits.daily_drive_extended,
                   f"{driver}: duty from {start} has no drive_minutes", MISSING)]
    if drive > limits.daily_drive_extended:
        return [_v("R1", driver, duty, drive, limits.daily_drive_extended,
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
            found.append(_v("R1", driver, planned, len(extended), limits.extended_days_per_week,
                            f"{driver}: {len(extended)} duties over {limits.daily_drive} min "
                            f"driving in the week of {week.isoformat()} "
                            f"(at most {limits.extended_days_per_week})"))
    return found


def r4_continuous_driving(driver: str, duty: Sequence[Period], tz: tzinfo,
                          limits: Limits) -> list[Violation]:
    """R4: the driving of the duty fits between qualifying breaks, 270 at a time."""
    planned = [p for p in duty if p.planned]
    start = _at(planned[0].start, tz)
    if any(p.breaks is None for p in planned) or any(p.drive is None for p in planned):
        return [_v("R4", driver, planned, None, limits.drive_without_break,
                   f"{driver}: duty from {start} lacks breaks or drive_minutes", MISSING)]
    drive = sum(p.drive or 0 for p in planned)
    stretches = driving_stretches(work_intervals(planned), limits)
    longest = least_longest_stretch(drive, stretches)
    if longest > limits.drive_without_break:
        return [_v("R4", driver, planned, longest, limits.drive_without_break,
                   f"{driver}: duty from {start} must drive {longest} min without a qualifying "
                   f"break (stretches {stretches}, {drive} min driving) "
                   f"> {limits.drive_without_break}")]
    return []


def r8_breaks(driver: str, duty: Sequence[Period], tz: tzinfo, limits: Limits) -> list[Violation]:
    """R8: enough break minutes for the working time of the duty."""
    planned = [p for p in duty if p.planned]
    start = _at(planned[0].start, tz)
    if any(p.breaks is None for p in planned):
        return [_v("R8", driver, planned, None, None,
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
        return [_v("R8", driver, planned, credit, need,
                   f"{driver}: duty from {start} works {worked} min with {credit} min of breaks "
                   f"(needs {need})")]
    return []


def r10_duty(driver: str, duty: Sequence[Period], tz: tzinfo, limits: Limits) -> list[Violation]:
    """R10: working time and spread of a duty."""
    start = _at(duty[0].start, tz)
    found = []
    works = [p.work for p in duty]
    if any(w is None for w in works):
        found.append(_v("R10", driver, duty, None, limits.duty_work,
                        f"{driver}: duty from {start} has no breaks listed", MISSING))
    else:
        worked = sum(works)  # type: ignore[arg-type]
        if worked > limits.duty_work:
            found.append(_v("R10", driver, duty, worked, limits.duty_work,
                            f"{driver}: duty from {start} works {worked} min > {limits.duty_work}"))
    spread = max(p.end for p in duty) - duty[0].start
    if spread > limits.duty_spread:
        found.append(_v("R10", driver, duty, spread, limits.duty_spread,
                        f"{driver}: duty from {start} spreads over {spread} min "
                        f"> {limits.duty_spread}"))
    return found


# ---------------------------------------------------------------------------------------------
# R2, R3, R7: weekly sums


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
            found.append(_v(rule, driver, members, None, limit, f"{label} unknown", MISSING))
        elif total > limit:
            found.append(_v(rule, driver, members, total, limit, f"{label} {total} min > {limit}"))
    return found


def r2_weekly_drive(driver: str, periods: Sequence[Period], tz: tzinfo,
                    limits: Limits) -> list[Violation]:
    """R2: driving per local calendar week."""
    return _weekly_limit("R2", driver, periods, tz, "drive", limits.weekly_drive, "driving")


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
            found.append(_v("R7", driver, members, None, limits.weekly_work, f"{label} unknown",
                            MISSING))
        elif total > limits.weekly_work:
            found.append(_v("R7", driver, members, total, limits.weekly_work,
                            f"{label} {total} min > {limits.weekly_work}"))
    return found


def r3_fortnight_drive(driver: str, periods: Sequence[Period], has_history: bool, tz: tzinfo,
                       limits: Limits) -> list[Violation]:
    """R3: driving in a week with planned shifts plus the week before."""
    planned = [p for p in periods if p.planned]
    if not has_history:
        return [_v("R3", driver, planned, None, limits.fortnight_drive,
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
            found.append(_v("R3", driver, members, None, limits.fortnight_drive,
                            f"{label} unknown", MISSING))
        elif total > limits.fortnight_drive:
            found.append(_v("R3", driver, members, total, limits.fortnight_drive,
                            f"{label} {total} min > {limits.fortnight_drive}"))
    return found


# ---------------------------------------------------------------------------------------------
# R5, R6: rests


BREAK, REGULAR, SPLIT, REDUCED, WEEKLY = "break", "regular", "split", "reduced", "weekly"


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
            found.append(_v("R5", driver, involved, len(seg), limits.reduced_rests_between_weekly,
                            f"{driver}: {len(seg)} reduced daily rests between two weekly rests "
                            f"(from {_at(seg[0][1].end, tz)}) > "
                            f"{limits.reduced_rests_between_weekly}"))
    return found


def r6_weekly_rest(driver: str, periods: Sequence[Period], has_history: bool, tz: tzinfo,
                   limits: Limits) -> list[Violation]:
    """R6: from the end of one weekly rest to the start of the next at most 8640 minutes."""
    planned = [p for p in periods if p.planned]
    if not has_history:
        return [_v("R6", driver, planned, None, limits.weekly_rest_interval,
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
            found.append(_v("R6", driver, block, span, limits.weekly_rest_interval,
                            f"{driver}: {span} min from {_at(block[0].start, tz)} without a "
                            f"weekly rest of {limits.reduced_weekly_rest} min "
                            f"> {limits.weekly_rest_interval}"))
    return found


# ---------------------------------------------------------------------------------------------
# R11: two weekly rests in two consecutive weeks, reduced ones compensated (561/2006 art. 8(6))


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
        return [_v("R11", driver, planned, None, 2,
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
                found.append(_v("R11", driver, members, len(regular), 1,
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
        return [_v("R11", driver, planned, None, 2,
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
             f"{_at(rest.start, tz)} needs {deficit} min of compensation attached to a rest of "
             f"at least {limits.compensation_attached_rest} min before {_at(deadline, tz)}")
    if deadline > view.end:
        return [_v("R11", driver, members, None, need,
                   f"{label}; none is visible up to {_at(view.end, tz)}, where the plan ends",
                   MISSING)]
    return [_v("R11", driver, members, 0, need, f"{label}; none was taken")]


# ---------------------------------------------------------------------------------------------
# R12: no more than six consecutive hours of work without a break (Dir. 2002/15/EC art. 5(1))


def r12_continuous_work(driver: str, duty: Sequence[Period], tz: tzinfo,
                        limits: Limits) -> list[Violation]:
    """R12, Dir. 2002/15/EC art. 5(1): no more than `work_without_break` (360) minutes of work
    in a row; only a pause of at least `min_break_part` (15) interrupts it (art. 5(1): breaks
    may be divided into periods of at least 15 minutes). R8 checks the total of the breaks,
    this rule where they lie: 7 h of work before the only break passes R8 but not R12."""
    planned = [p for p in duty if p.planned]
    start = _at(planned[0].start, tz)
    if any(p.breaks is None for p in planned):
        return [_v("R12", driver, planned, None, limits.work_without_break,
                   f"{driver}: duty from {start} has no breaks listed", MISSING)]
    longest, run = 0, 0
    work = work_intervals(planned)
    for i, iv in enumerate(work):
        if i and iv.start - work[i - 1].end >= limits.min_break_part:
            run = 0
        run += iv.minutes
        longest = max(longest, run)
    if longest > limits.work_without_break:
        return [_v("R12", driver, planned, longest, limits.work_without_break,
                   f"{driver}: duty from {start} works {longest} min without a break of "
                   f"{limits.min_break_part} min > {limits.work_without_break}")]
    return []


# ---------------------------------------------------------------------------------------------
# R13: night work => at most 600 minutes of work in each 24 h (Dir. 2002/15/EC art. 7, AZG)


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
        return [_v("R13", driver, unknown, None, limits.night_work_limit,
                    f"{driver}: working time of {', '.join(_ids(unknown))} unknown (no breaks)",
                    MISSING)]
    work = [(iv, p) for p in periods for iv in work_spans(p) or ()]
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
            v = _v("R13", driver, members, total, limits.night_work_limit,
                   f"{driver}: {total} min of work in the 24 h from {_at(t, tz)}, which hold "
                   f"night work from {_at(nw.start, tz)} > {limits.night_work_limit}")
            if v.shifts not in found or (found[v.shifts].measured or 0) < total:
                found[v.shifts] = v
    return [found[k] for k in sorted(found)]


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
            found.append(_v("R13", driver, duty, total, limits.night_work_limit,
                            f"{driver}: duty from {_at(duty[0].start, tz)} holds night work "
                            f"and works {total} min > {limits.night_work_limit}"))
    return found


# ---------------------------------------------------------------------------------------------
# R14: average week <= 2880 over the reference period (Dir. 2002/15/EC art. 4(a), AZG §13b)


def r14_average_week(driver: str, periods: Sequence[Period], view: View | None, tz: tzinfo,
                     limits: Limits) -> list[Violation]:
    """R14, Dir. 2002/15/EC art. 4(a), AZG §13b: the average weekly working time over a
    reference period of `average_reference_weeks` (17) local weeks <= `average_week_work`
    (2880), judged for each reference period ending with a week of the instance that holds
    planned work, where the history allows: when the recorded past (the instance's
    `history_weeks`) covers the whole period, the exact average; when it does not, only a total
    already over the limit is certain and reported, and the rest is listed as not judged
    (`not_judged`), or fails closed if the tenant sets `average_requires_history`.
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
            found.append(_v("R14", driver, members, None, cap, f"{label} unknown", MISSING))
        elif total > cap:
            found.append(_v("R14", driver, members, total, cap,
                            f"{label} {total} min > {cap} (average "
                            f"{total // limits.average_reference_weeks} > "
                            f"{limits.average_week_work})"))
        elif not covered and limits.average_requires_history:
            found.append(_v("R14", driver, members or planned, None, cap,
                            f"{label}: the history does not cover the reference period",
                            MISSING))
    return found

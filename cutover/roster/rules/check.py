"""The oracle's entry points: every rule over a plan, a driver or a duty; what is not judged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from cutover.roster.model import (
    Instance,
    Plan,
    Shift,
    week_of,
    week_start_minute,
)
from cutover.roster.rules.assignments import check_assignments, overlap_violations
from cutover.roster.rules.driving import (
    r1_duty_drive,
    r1_extended_days,
    r2_weekly_drive,
    r3_fortnight_drive,
    r4_continuous_driving,
)
from cutover.roster.rules.findings import Violation
from cutover.roster.rules.limits import Limits
from cutover.roster.rules.night import r13_night_work
from cutover.roster.rules.rest import r5_daily_rest, r6_weekly_rest
from cutover.roster.rules.timelines import (
    Period,
    View,
    shift_period,
    split_duties,
    timelines,
    view_of,
)
from cutover.roster.rules.weekly_rests import r11_weekly_rests
from cutover.roster.rules.working_time import (
    r7_weekly_work,
    r8_breaks,
    r10_duty,
    r12_continuous_work,
    r14_average_week,
)


def check_plan(instance: Instance, plan: Plan, limits: Limits | None = None) -> list[Violation]:
    """Every violation of R0..R14 in the plan, sorted by rule, driver, shifts."""
    limits = limits or Limits()
    tz = instance.tz
    found = check_assignments(instance, plan, limits)
    view = view_of(instance)
    for driver, periods in sorted(timelines(instance, plan).items()):
        found.extend(check_driver(driver, periods, instance.history is not None, tz, limits,
                                  view))
    return sorted(found, key=Violation.sort_key)


def not_judged(instance: Instance, plan: Plan, limits: Limits | None = None) -> dict[str, str]:
    """Rules the plan is not judged by, and why (reported beside the violations, never hidden).

    Only R14 can be skipped, and only in the tenant's explicit opt-out
    (`average_requires_history=False`, "judged where the history allows"): where a planned
    driver's recorded history does not cover its reference period. By default R14 fails
    closed there instead (a violation with reason `missing input`), so nothing is listed.
    """
    limits = limits or Limits()
    if limits.average_requires_history or not plan.assignments:
        return {}
    needed = limits.average_reference_weeks - 1
    planned = sorted({a.driver for a in plan.assignments})
    seen = {d: 0 if instance.history is None else instance.recorded_weeks(d) for d in planned}
    short = [d for d in planned if seen[d] < needed]
    if not short:
        return {}
    fewest = min(seen[d] for d in short)
    return {"R14": f"the history covers {fewest} of the {needed} weeks before the plan week "
                   f"that the average over {limits.average_reference_weeks} weeks needs "
                   f"({len(short)} of {len(planned)} planned drivers short, first {short[0]}); "
                   f"only a total already over {limits.average_week_work} x "
                   f"{limits.average_reference_weeks} min is reported (the tenant's opt-out: "
                   f"judged where the history allows, Dir. 2002/15/EC art. 4(a))"}


def check_driver(driver: str, periods: Sequence[Period], has_history: bool, tz: tzinfo,
                 limits: Limits, view: View | None = None) -> list[Violation]:
    """R0 overlaps and R1..R14 for one driver's sorted work periods.

    `view` (the recorded past and the end of the instance week) is needed by R11 and R14;
    without it they fail closed. It is narrowed to the driver's own record, and a driver whose
    record holds no whole week before the instance week has no history for R3 and R6 either
    (only recorded weeks count).
    """
    if view is not None:
        view = view.of(driver)
        if view.start is not None and view.start >= _week_start(view.end, tz):
            has_history = False
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


def _week_start(end: int, tz: tzinfo) -> int:
    """The start of the instance week that ends at `end`."""
    return week_start_minute(week_of(end - 1, tz), tz)


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

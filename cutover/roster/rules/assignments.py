"""R0: assignment integrity, eligibility and overlaps."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import tzinfo

from cutover.roster.model import (
    Instance,
    Plan,
    iso,
)
from cutover.roster.rules.findings import Violation, fail
from cutover.roster.rules.limits import Limits
from cutover.roster.rules.timelines import Period


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
            found.append(fail("R0", None, (shift.id,), len(held), 1,
                            f"shift {shift.id} has {len(held)} assignments ({', '.join(held)})"))
        if held and shift.id in uncovered:
            found.append(fail("R0", None, (shift.id,), None, None,
                            f"shift {shift.id} is assigned and also listed as uncovered"))
        if not held and shift.id not in uncovered:
            found.append(fail("R0", None, (shift.id,), None, None,
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
        found.append(fail("R0", driver_id, ids, None, None,
                        f"{driver_id} lacks qualification {shift.qualification} for {shift.id}"))
    if not limits.allow_cross_site and shift.site != driver.site:
        found.append(fail("R0", driver_id, ids, None, None,
                        f"{driver_id} is based at {driver.site}, shift {shift.id} at {shift.site}"))
    spans = [("absence", a.span, a.reason) for a in instance.absences if a.driver == driver_id]
    spans += [("unavailability", u, "") for u in driver.unavailable]
    for kind, span, reason in sorted(spans, key=lambda t: (t[1], t[0])):
        shared = span.overlap(shift.span)
        if shared:
            why = f" ({reason})" if reason else ""
            found.append(fail("R0", driver_id, ids, shared, 0,
                            f"{shift.id} overlaps {driver_id}'s {kind}{why} from "
                            f"{iso(span.start, tz)} by {shared} min"))
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
            names = [x.shift or f"history duty at {iso(x.start, tz)}" for x in (p, q)]
            found.append(fail("R0", driver, (p, q), shared, 0,
                            f"{driver}: {names[0]} and {names[1]} overlap by {shared} min"))
    return found

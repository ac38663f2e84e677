"""Turn an assignment into a plan the oracle accepts, and into plan JSON.

The solver never trusts its own model: the oracle (`cutover.roster.rules`) judges every
assignment it is about to return; while a violation remains, one shift named by the first
violation is dropped to `uncovered` (a free one before a frozen one, the latest first), so the
output is always valid. Plans are emitted in canonical form, so bytes are stable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from typing import Any

from cutover.roster.canonical import canonical_plan
from cutover.roster.model import Assignment, Instance, Plan
from cutover.roster.rules import Limits, Violation
from cutover.roster.rules.assignments import check_assignments
from cutover.roster.rules.check import check_driver
from cutover.roster.rules.timelines import driver_timeline, view_of


def as_plan(instance: Instance, assignment: Mapping[str, str], instance_sha: str,
            seed: int) -> Plan:
    """The typed plan of an assignment (every other shift uncovered)."""
    return Plan(
        tenant=instance.tenant, instance_sha256=instance_sha, seed=seed,
        assignments=tuple(Assignment(s, d) for s, d in sorted(assignment.items())),
        uncovered=tuple(sorted(s.id for s in instance.shifts if s.id not in assignment)),
    )


def make_valid(instance: Instance, assignment: Mapping[str, str], limits: Limits,
               keep: Collection[str] = ()) -> tuple[dict[str, str], list[Violation]]:
    """Drop assignments until the oracle finds no violation; returns (valid, first findings).

    The findings are exactly `check_plan`'s, in its order; only the driver who lost a shift
    is judged again (every other driver's timeline is unchanged), which makes a repair's
    checks cost what it changed, not the whole week each time.
    """
    current = dict(assignment)
    view, has_history = view_of(instance), instance.history is not None
    per_driver: dict[str, list[Violation]] = {}
    dirty = set(current.values())
    first: list[Violation] | None = None
    while True:
        shifts_of: dict[str, list[str]] = defaultdict(list)
        for sid, d in sorted(current.items()):
            shifts_of[d].append(sid)
        for d in sorted(dirty):
            per_driver[d] = check_driver(d, driver_timeline(instance, d, shifts_of.get(d, ())),
                                         has_history, instance.tz, limits, view) \
                if shifts_of.get(d) else []
        dirty = set()
        violations = check_assignments(instance, as_plan(instance, current, "", 0), limits)
        violations = sorted(violations + [v for d in sorted(per_driver) for v in per_driver[d]],
                            key=Violation.sort_key)
        if first is None:
            first = violations
        if not violations:
            return current, first
        named = [s for s in violations[0].shifts if s in current]
        if not named:
            raise RuntimeError(f"oracle violation names no assigned shift: {violations[0]}")
        drop = max(named, key=lambda s: (s not in keep, instance.shift_by_id[s].start, s))
        dirty.add(current.pop(drop))


def plan_document(instance: Instance, assignment: Mapping[str, str], instance_sha: str,
                  seed: int) -> dict[str, Any]:
    """The canonical plan JSON document."""
    plan = as_plan(instance, assignment, instance_sha, seed)
    return canonical_plan({
        "tenant": plan.tenant, "instance_sha256": plan.instance_sha256, "seed": plan.seed,
        "assignments": [{"shift": a.shift, "driver": a.driver} for a in plan.assignments],
        "uncovered": list(plan.uncovered),
    })

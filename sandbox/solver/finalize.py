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


Judged = dict[tuple[str, tuple[str, ...]], list[Violation]]


def judge_driver(instance: Instance, driver: str, shift_ids: Collection[str], limits: Limits,
                 memo: Judged | None = None) -> list[Violation]:
    """The oracle's findings for one driver holding these shifts (`check_driver`), remembered
    in `memo` by (driver, shifts): a repair judges the same timelines again and again."""
    key = (driver, tuple(sorted(shift_ids)))
    if memo is not None and key in memo:
        return memo[key]
    found = check_driver(driver, driver_timeline(instance, driver, key[1]),
                         instance.history is not None, instance.tz, limits, view_of(instance)) \
        if key[1] else []
    if memo is not None:
        memo[key] = found
    return found


def make_valid(instance: Instance, assignment: Mapping[str, str], limits: Limits,
               keep: Collection[str] = (), memo: Judged | None = None,
               ) -> tuple[dict[str, str], list[Violation]]:
    """Drop assignments until the oracle finds no violation; returns (valid, first findings).

    The findings are exactly `check_plan`'s, in its order; only the driver who lost a shift
    is judged again (every other driver's timeline is unchanged), which makes a repair's
    checks cost what it changed, not the whole week each time.
    """
    current = dict(assignment)
    per_driver: dict[str, list[Violation]] = {}
    dirty = set(current.values())
    first: list[Violation] | None = None
    while True:
        shifts_of: dict[str, list[str]] = defaultdict(list)
        for sid, d in sorted(current.items()):
            shifts_of[d].append(sid)
        for d in sorted(dirty):
            per_driver[d] = judge_driver(instance, d, shifts_of.get(d, ()), limits, memo)
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

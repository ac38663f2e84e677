"""Turn an assignment into a plan the oracle accepts, and into plan JSON.

The solver never trusts its own model: the oracle (`cutover.roster.rules`) judges every
assignment it is about to return; while a violation remains, one shift named by the first
violation is dropped to `uncovered` (a free one before a frozen one, the latest first), so the
output is always valid. Plans are emitted in canonical form, so bytes are stable.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from cutover.roster.canonical import canonical_plan
from cutover.roster.model import Assignment, Instance, Plan
from cutover.roster.rules import Limits, Violation, check_plan


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
    """Drop assignments until the oracle finds no violation; returns (valid, first findings)."""
    current = dict(assignment)
    first: list[Violation] | None = None
    while True:
        violations = check_plan(instance, as_plan(instance, current, "", 0), limits)
        if first is None:
            first = violations
        if not violations:
            return current, first
        named = [s for s in violations[0].shifts if s in current]
        if not named:
            raise RuntimeError(f"oracle violation names no assigned shift: {violations[0]}")
        drop = max(named, key=lambda s: (s not in keep, instance.shift_by_id[s].start, s))
        del current[drop]


def plan_document(instance: Instance, assignment: Mapping[str, str], instance_sha: str,
                  seed: int) -> dict[str, Any]:
    """The canonical plan JSON document."""
    plan = as_plan(instance, assignment, instance_sha, seed)
    return canonical_plan({
        "tenant": plan.tenant, "instance_sha256": plan.instance_sha256, "seed": plan.seed,
        "assignments": [{"shift": a.shift, "driver": a.driver} for a in plan.assignments],
        "uncovered": list(plan.uncovered),
    })

"""One judgement of a plan against its instance: hashes, violations, figures (the oracle's output).

Shared by `cutover roster validate`, the gate checks and the sandbox solver's self-check, so all
of them report a plan the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cutover.roster.canonical import instance_sha256, plan_sha256
from cutover.roster.figures import figures
from cutover.roster.model import Instance, Plan
from cutover.roster.parse import parse_instance, parse_plan
from cutover.roster.rules import Limits, Violation, check_plan


def judge(instance: Instance, plan: Plan, baseline: Plan | None = None,
          limits: Limits | None = None) -> tuple[list[Violation], dict[str, Any]]:
    """Violations and figures of a parsed plan."""
    violations = check_plan(instance, plan, limits)
    return violations, figures(instance, plan, violations, baseline, limits)


def judge_documents(instance_doc: Mapping[str, Any], plan_doc: Mapping[str, Any],
                    baseline_doc: Mapping[str, Any] | None = None,
                    limits: Limits | None = None,
                    sources: tuple[str, str, str] = ("instance", "plan", "baseline"),
                    ) -> dict[str, Any]:
    """The full report for JSON documents (raises ConfigError on bad input)."""
    instance = parse_instance(instance_doc, sources[0])
    plan = parse_plan(plan_doc, instance, sources[1])
    baseline = None if baseline_doc is None else parse_plan(baseline_doc, instance, sources[2])
    violations, figs = judge(instance, plan, baseline, limits)
    inst_sha = instance_sha256(instance_doc)
    return {
        "valid": not violations,
        "violation_count": len(violations),
        "violations": [v.to_dict() for v in violations],
        "figures": figs,
        "instance_sha256": inst_sha,
        "plan_sha256": plan_sha256(plan_doc),
        "plan_instance_sha256": plan.instance_sha256,
        "plan_instance_sha256_matches": plan.instance_sha256 == inst_sha,
    }

"""The roster gate's dry run (runbook §5.1): solve the tenant's week twice, judge it.

Nothing is written to the platform: the week is exported read-only, the solver runs
in two separate processes on the same files, and the independent oracle recomputes
every rule. The gate passes on zero violations, coverage within the allowed count, and
the same canonical plan hash from both runs.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from cutover.roster import solver_cmd
from cutover.roster.canonical import plan_sha256
from cutover.roster.export import export_instance
from cutover.roster.report import judge_documents
from cutover.roster.rules import Limits


def dry_run(url: str, tenant: str, *, week: date | None = None, seed: int = 94,
            max_uncovered: int = 0, workdir: Path | None = None,
            limits: Limits | None = None) -> dict[str, Any]:
    """The roster_dry_run.json document for one tenant's week (`limits`: the tenant's, such
    as its R14 opt-out; default the law's)."""
    work = Path(workdir or tempfile.mkdtemp(prefix="roster-dry-run-"))
    instance = export_instance(url, tenant, week)
    inst_path = work / "instance.json"
    inst_path.write_text(json.dumps(instance, sort_keys=True))
    plans, stats = [], []
    for n in (1, 2):
        plan, st = solver_cmd.run("solve", ["--instance", str(inst_path), "--seed", str(seed)],
                                  work / f"plan_run{n}.json")
        plans.append(plan)
        stats.append(st)
    report = judge_documents(instance, plans[0], limits=limits)
    hashes = [plan_sha256(p) for p in plans]
    uncovered = sorted(plans[0].get("uncovered", []))
    checks = {
        "violations": report["violation_count"] == 0,
        "coverage": report["figures"]["uncovered"] <= max_uncovered,
        "uncovered_listed": set(uncovered) == _unassigned(instance, plans[0]),
        "deterministic": hashes[0] == hashes[1],
        "plan_matches_instance": report["plan_instance_sha256_matches"],
    }
    return {
        "tenant": tenant, "week_start": instance["week_start"], "seed": seed,
        "instance_sha256": report["instance_sha256"], "plan_sha256": hashes[0],
        "plan_sha256_second_run": hashes[1], "deterministic": checks["deterministic"],
        "violation_count": report["violation_count"], "violations": report["violations"],
        "uncovered": uncovered, "max_uncovered": max_uncovered,
        "average_requires_history": (limits or Limits()).average_requires_history,
        "figures": report["figures"], "solver": {"command": solver_cmd.command()[:3],
                                                 "stats": stats},
        "checks": checks, "verdict": "PASS" if all(checks.values()) else "FAIL",
    }


def _unassigned(instance: dict[str, Any], plan: dict[str, Any]) -> set[str]:
    assigned = {a["shift"] for a in plan.get("assignments", [])}
    return {s["id"] for s in instance["shifts"] if s["id"] not in assigned}

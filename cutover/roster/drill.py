"""The sick-call drill (runbook §5.2): repair the week after absences, judge the repair.

Dry run only: the tenant's week and its current plan are exported read-only, the
platform's repair service runs twice in separate processes, and the independent oracle
checks that absent drivers hold nothing while absent, every orphaned shift is
reassigned or reported, no hard rule is broken, churn outside the orphans stays within
the bound, and both runs give the same bytes.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from cutover.errors import ConfigError
from cutover.roster import solver_cmd
from cutover.roster.canonical import plan_sha256
from cutover.roster.export import export_instance, export_plan
from cutover.roster.report import judge_documents
from cutover.roster.rules import Limits

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"


def _baseline(url: str, tenant: str, instance: dict, work: Path, seed: int) -> tuple[dict, str]:
    """The stored plan of the week, or a fresh dry-run solve when none is stored."""
    stored = export_plan(url, tenant, date.fromisoformat(instance["week_start"]))
    if stored and stored["assignments"]:
        assigned = {a["shift"] for a in stored["assignments"]}
        stored["uncovered"] = sorted(s["id"] for s in instance["shifts"]
                                     if s["id"] not in assigned)
        return stored, "stored plan"
    inst_path = work / "instance.json"
    plan, _ = solver_cmd.run("solve", ["--instance", str(inst_path), "--seed", str(seed)],
                             work / "baseline.json")
    return plan, "fresh solve (no stored plan)"


def sick_call(url: str, tenant: str, absent: list[str], *, seed: int = 94,
              week: date | None = None, max_churn: int = 10,
              workdir: Path | None = None, limits: Limits | None = None) -> dict[str, Any]:
    """The ops_drill_sick_call.json document (`limits`: the tenant's, such as its R14
    opt-out; default the law's)."""
    work = Path(workdir or tempfile.mkdtemp(prefix="sick-call-drill-"))
    instance = export_instance(url, tenant, week)
    known = {d["id"] for d in instance["drivers"]}
    unknown = [d for d in absent if d not in known]
    if unknown:
        raise ConfigError(f"unknown driver id(s) for tenant {tenant}: {', '.join(unknown)}")
    (work / "instance.json").write_text(json.dumps(instance, sort_keys=True))
    baseline, source = _baseline(url, tenant, instance, work, seed)
    (work / "baseline.json").write_text(json.dumps(baseline, sort_keys=True))
    runs = []
    for n in (1, 2):
        args = ["--instance", str(work / "instance.json"), "--plan", str(work / "baseline.json"),
                "--absent-drivers", ",".join(absent), "--seed", str(seed),
                "--instance-out", str(work / f"instance_absent{n}.json")]
        runs.append(solver_cmd.run("repair", args, work / f"repair_run{n}.json"))
    repaired, stats = runs[0]
    absent_instance = json.loads((work / "instance_absent1.json").read_text())
    base_for_judge = dict(baseline, instance_sha256=repaired.get("instance_sha256"))
    report = judge_documents(absent_instance, repaired, base_for_judge, limits)
    return _verdict(tenant, absent, seed, source, baseline, repaired, runs[1][0], report,
                    stats, max_churn)


def _verdict(tenant: str, absent: list[str], seed: int, source: str, baseline: dict,
             repaired: dict, second: dict, report: dict, stats: dict,
             max_churn: int) -> dict[str, Any]:
    figs = report["figures"]
    churn = figs.get("churn") or {}
    split = figs.get("coverage_split") or {}
    held = sorted(a["shift"] for a in repaired.get("assignments", []) if a["driver"] in absent)
    unlisted = sorted(set(split.get("orphaned_by_absence", [])) - set(repaired["uncovered"]))
    hashes = [plan_sha256(repaired), plan_sha256(second)]
    failures = {
        "absent_drivers_hold_shifts": held,
        "violations": report["violation_count"],
        "orphans_not_reported": unlisted,
        "not_deterministic": hashes[0] != hashes[1],
        "plan_not_for_instance": not report["plan_instance_sha256_matches"],
    }
    warnings = {
        "orphans_left_uncovered": split.get("orphaned_by_absence", []),
        "churn_above_bound": (churn.get("changed", 0) > max_churn),
    }
    verdict = (FAIL if any(failures.values()) else WARN if any(warnings.values()) else PASS)
    return {
        "tenant": tenant, "absent_drivers": absent, "seed": seed, "baseline": source,
        "baseline_plan_sha256": plan_sha256(baseline), "plan_sha256": hashes[0],
        "plan_sha256_second_run": hashes[1], "instance_sha256": report["instance_sha256"],
        "violation_count": report["violation_count"], "violations": report["violations"],
        "figures": figs, "max_churn": max_churn, "failures": failures, "warnings": warnings,
        "solver_stats": stats, "verdict": verdict,
    }

"""The staging soak (runbook §1.1): the whole rehearsal N times on fresh sandboxes.

    ./scripts/w02_staging_soak.sh --iterations 5 --with-drills

Each iteration is a full `cutover rehearse` on a new sandbox, its roster gate and
sick-call drill included (the approval needs them); `--with-drills` adds the rollback drill
on the last iteration, as the runbook asks. The report's `results.determinism` is PASS
only if every iteration produced the same roster plan hash, the same repair hash and the
same schema fingerprint; `fail_count` counts iterations that failed. Preflight reads the
report (PF-010).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from cutover.evidence.bundle import write_json
from cutover.runbook.platform import PlatformProvider

ITERATION_VAR = "SOLVEREIGN_SOAK_ITERATION"


def _hashes(bundle: Path) -> dict[str, str | None]:
    def field(name: str, key: str) -> str | None:
        path = bundle / name
        return json.loads(path.read_text()).get(key) if path.exists() else None

    return {"roster_plan_sha256": field("roster_dry_run.json", "plan_sha256"),
            "repair_plan_sha256": field("ops_drill_sick_call.json", "plan_sha256"),
            "schema_fingerprint": field("schema_fingerprint.json", "fingerprint")}


def soak(iterations: int, artifacts: Path, provider: PlatformProvider,
         with_drills: bool = True) -> dict:
    """Run the iterations and build the soak report."""
    from cutover.runbook.rehearse import rehearse

    folder = artifacts / f"soak_{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    folder.mkdir(parents=True, exist_ok=True)
    runs = []
    for i in range(1, iterations + 1):
        os.environ[ITERATION_VAR] = str(i)  # informational: lets a test double vary per run
        print(f"=== soak iteration {i}/{iterations}", flush=True)
        t0 = time.monotonic()
        drill = with_drills and i == iterations
        ok, bundle = rehearse(folder, rollback_drill=drill, provider=provider)
        runs.append({"iteration": i, "ok": ok, "bundle": str(bundle), "rollback_drill": drill,
                     "seconds": round(time.monotonic() - t0, 2), **_hashes(bundle)})
    keys = ("roster_plan_sha256", "repair_plan_sha256", "schema_fingerprint")
    differing = [k for k in keys if len({r[k] for r in runs}) != 1 or runs[0][k] is None]
    seconds = [r["seconds"] for r in runs]
    report = {
        "iterations": runs,
        "results": {
            "determinism": "FAIL" if differing else "PASS",
            "differing": differing,
            "fail_count": sum(1 for r in runs if not r["ok"]),
            "iterations": iterations,
            "with_drills": with_drills,
            "seconds": {"min": min(seconds), "median": statistics.median(seconds),
                        "max": max(seconds)},
        },
    }
    write_json(folder / "soak_report.json", report)
    return report | {"path": str(folder / "soak_report.json")}

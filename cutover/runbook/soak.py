"""The staging soak (runbook §1.1): the whole rehearsal N times, on fresh sandboxes or on a
staging target given by URL.

    ./scripts/w02_staging_soak.sh --iterations 5 --with-drills
    ./scripts/w02_staging_soak.sh --db-url URL --api-url URL --iterations 5 --with-drills

Each iteration is a full `cutover rehearse`, its roster gate and sick-call drill included
(the approval needs them). On sandboxes `--with-drills` adds the rollback drill on the last
iteration, as the runbook asks. On a target the tool did not start (cutover.runbook.external)
every iteration ends with the rollback drill, whatever `--with-drills` says: it restores the
iteration's own verified backup, which returns the target to its pre-cutover state for the
next one; the report records per iteration the backup (path, sha256, verified), whether it was
restored, and the ledger head read from the live target afterwards. An iteration that leaves
the target anywhere else stops the soak: the next would not start from production's state.
Each rollback keeps the database it replaced (`<db>_rolledback_<stamp>`, a full copy; the
rollback drill and the aftermath drill make one each): a restored iteration drops the copies
it made (`copies_dropped`), unless `--keep-rolled-back`; an unrestored one keeps them for the
investigation (`copies_kept`).

The report's `results.determinism` is PASS only if every iteration produced the same roster
plan hash, the same repair hash and the same schema fingerprint; `fail_count` counts
iterations that failed (an unrestored target among them). Preflight reads the report (PF-010).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from cutover.errors import CutoverError
from cutover.evidence.bundle import write_json
from cutover.pg.url import mask_url
from cutover.runbook.platform import PlatformProvider

ITERATION_VAR = "SOLVEREIGN_SOAK_ITERATION"
HASH_KEYS = ("roster_plan_sha256", "repair_plan_sha256", "schema_fingerprint")


def _read(bundle: Path, name: str) -> dict:
    path = bundle / name
    return json.loads(path.read_text()) if path.exists() else {}


def _hashes(bundle: Path) -> dict[str, str | None]:
    return {"roster_plan_sha256": _read(bundle, "roster_dry_run.json").get("plan_sha256"),
            "repair_plan_sha256": _read(bundle, "ops_drill_sick_call.json").get("plan_sha256"),
            "schema_fingerprint": _read(bundle, "schema_fingerprint.json").get("fingerprint")}


def restoration(bundle: Path, db_url: str) -> dict:
    """How the iteration left an external target: its own backup (from the bundle), the
    rollback drill's verdict, and the ledger head read from the live target now. `restored`
    is true only when the drill passed and the live head is the backup's."""
    from cutover.runbook.external import ledger_head

    backup = _read(bundle, "backup_manifest.json")
    drill = _read(bundle, "rollback_drill.json")
    try:
        head_after: str | None = ledger_head(db_url)
        problem = None
    except CutoverError as exc:
        head_after, problem = None, str(exc)
    restored = (drill.get("verdict") == "PASS" and backup.get("ledger_head") is not None
                and head_after == backup.get("ledger_head"))
    record = {"backup": backup.get("path"), "backup_sha256": (backup.get("dump") or {}).get(
                  "sha256"), "backup_verified": backup.get("verified") is True,
              "backup_ledger_head": backup.get("ledger_head"),
              "rollback_drill": drill.get("verdict"), "kept_as": drill.get("kept_as"),
              "restored": restored, "ledger_head_after": head_after}
    return record | ({"problem": problem} if problem else {})


def soak(iterations: int, artifacts: Path, provider: PlatformProvider,
         with_drills: bool = True, target_db_url: str | None = None,
         admin_url: str | None = None, keep_copies: bool = False) -> dict:
    """Run the iterations and build the soak report. `target_db_url` (the migrator's URL of
    an external target) makes every iteration roll back and be judged by `restoration`;
    with `admin_url`, a restored iteration drops the copies its rollbacks kept."""
    from cutover.runbook.rehearse import rehearse

    folder = artifacts / f"soak_{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    folder.mkdir(parents=True, exist_ok=True)
    runs: list[dict] = []
    stopped = None
    for i in range(1, iterations + 1):
        os.environ[ITERATION_VAR] = str(i)  # informational: lets a test double vary per run
        print(f"=== soak iteration {i}/{iterations}", flush=True)
        t0 = time.monotonic()
        drill = target_db_url is not None or (with_drills and i == iterations)
        data_dir = (folder / f"iteration_{i}").resolve() if target_db_url else None
        before = _copies(admin_url, target_db_url)
        ok, bundle = rehearse(folder, data_dir, rollback_drill=drill, provider=provider)
        run = {"iteration": i, "ok": ok, "bundle": str(bundle), "rollback_drill": drill,
               "seconds": round(time.monotonic() - t0, 2), **_hashes(bundle)}
        if target_db_url:
            run["restoration"] = restoration(bundle, target_db_url)
            run["ok"] = ok and run["restoration"]["restored"]
            run["restoration"] |= _tidy(admin_url, target_db_url, before,
                                        run["restoration"]["restored"] and not keep_copies)
            print(f"    restored: {str(run['restoration']['restored']).lower()}; ledger head "
                  f"after {run['restoration']['ledger_head_after']}", flush=True)
        runs.append(run)
        if target_db_url and not run["restoration"]["restored"] and i < iterations:
            stopped = (f"iteration {i} did not return the target to its pre-cutover state; "
                       f"{iterations - i} iteration(s) not run")
            print(f"    soak stopped: {stopped}", flush=True)
            break
    report = _report(runs, iterations, with_drills, stopped)
    if target_db_url:
        report["target"] = {"db_url": mask_url(target_db_url), "external": True}
    write_json(folder / "soak_report.json", report)
    return report | {"path": str(folder / "soak_report.json")}


def _copies(admin_url: str | None, db_url: str | None) -> set[str] | None:
    """The kept copies on the target's cluster now (None: no target, or unreadable)."""
    if not (admin_url and db_url):
        return None
    from cutover.runbook.external import kept_copies

    try:
        return kept_copies(admin_url, db_url)
    except (CutoverError, psycopg.Error):
        return None


def _tidy(admin_url: str | None, db_url: str | None, before: set[str] | None,
          drop: bool) -> dict:
    """Drop (or only name) the copies this iteration's rollbacks kept."""
    now = _copies(admin_url, db_url)
    if before is None or now is None:
        return {"copies_problem": "the kept copies could not be listed through the admin URL"}
    made = now - before
    if not drop or not made:
        return {"copies_kept": sorted(made)}
    from cutover.runbook.external import drop_copies

    try:
        drop_copies(admin_url, made)  # type: ignore[arg-type]
    except (CutoverError, psycopg.Error) as exc:
        return {"copies_kept": sorted(made), "copies_problem": str(exc).splitlines()[0]}
    print(f"    dropped the copies its rollbacks kept: {', '.join(sorted(made))}", flush=True)
    return {"copies_dropped": sorted(made)}


def _report(runs: list[dict], iterations: int, with_drills: bool, stopped: str | None) -> dict:
    """The determinism verdict, the failure count (iterations never run count as failed)
    and the spread of durations."""
    differing = [k for k in HASH_KEYS if len({r[k] for r in runs}) != 1 or runs[0][k] is None]
    seconds = [r["seconds"] for r in runs]
    return {
        "iterations": runs,
        "results": {
            "determinism": "FAIL" if differing else "PASS",
            "differing": differing,
            "fail_count": sum(1 for r in runs if not r["ok"]) + iterations - len(runs),
            "iterations": iterations,
            "with_drills": with_drills,
            "stopped": stopped,
            "seconds": {"min": min(seconds), "median": statistics.median(seconds),
                        "max": max(seconds)},
        },
    }

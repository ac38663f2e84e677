"""The drills' inputs, so the drills can run before the freeze (docs/operations.md).

The roster dry run and the sick-call drill (runbook §5) touch the database only to export,
read-only, the tenant's week (the instance) and its stored plan; the solver, the repair
and the oracle are functions of those documents alone (PM-202 and the drill run each twice
and require the same bytes). So their judgement of the migrated database is their
judgement of the documents the migrated database yields. The rehearsal runs the drills
before the freeze, reading these inputs before and after them (writes are still on: the
week must not move while they run), and in the window, after the migrations, reads them
again from the migrated database: identical inputs confirm the drills (sub-second); any
difference (the data moved before the freeze, or the migrations changed what the export
sees) runs the drills again, in full, inside the window.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cutover.approval import binding
from cutover.roster.canonical import instance_sha256, plan_sha256
from cutover.roster.export import export_instance, export_plan

ARTIFACT = "drills_confirmation.json"


def inputs(url: str, tenant: str) -> dict[str, Any]:
    """What the drills read from the database, as hashes: the week's instance (what the dry
    run and the repair are given) and the stored plan the repair starts from (None when
    there is none: the drill then solves the instance afresh, a function of it)."""
    instance = export_instance(url, tenant)
    stored = export_plan(url, tenant, date.fromisoformat(instance["week_start"]))
    stored_sha = None
    if stored and stored["assignments"]:  # as the sick-call drill takes its baseline
        assigned = {a["shift"] for a in stored["assignments"]}
        stored["uncovered"] = sorted(s["id"] for s in instance["shifts"]
                                     if s["id"] not in assigned)
        stored_sha = plan_sha256(stored)
    return {"tenant": tenant, "week_start": instance["week_start"],
            "instance_sha256": instance_sha256(instance), "stored_plan_sha256": stored_sha}


def confirmation(url: str, judged: dict[str, Any]) -> dict[str, Any]:
    """The drills_confirmation.json document: the inputs the drills judged before the
    freeze against those the migrated database yields now, and the state read."""
    target = binding.read_url(url, "cutover-drills-confirmation")
    now = inputs(url, judged["tenant"])
    differ = sorted(k for k in now if now[k] != judged.get(k))
    return {"judged_before_freeze": judged, "after_migrations": now, "differs": differ,
            "target": target.as_dict(), "verdict": "PASS" if not differ else "CHANGED"}

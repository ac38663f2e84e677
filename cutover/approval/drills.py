"""Does a drill verdict judged before the migrations stand for the migrated database?

The rehearsal runs the roster dry run and the sick-call drill before the freeze, then
confirms in the window that the migrated database yields the very inputs they judged
(drills_confirmation.json, cutover.runbook.drills). Approval accepts a roster verdict
judged at an earlier ledger head only with that confirmation: PASS, on the database every
other artifact judged, for the instance and stored plan the drills' own artifacts name.
A drill run by hand after `prod_cutover.sh` judged the migrated head and needs none.
"""

from __future__ import annotations

from typing import Any

from cutover.approval.binding import FIELDS, Binding, differences

ROSTER = "roster_dry_run.json"
SICK_CALL = "ops_drill_sick_call.json"
CONFIRMATION = "drills_confirmation.json"


def judged_inputs_problems(judged: dict[str, Any], dry_run: dict[str, Any],
                           sick_call: dict[str, Any]) -> list[str]:
    """The drills' own artifacts must name the inputs read around them: the dry run's
    instance hash, and the repair's baseline when it started from the stored plan."""
    problems = []
    if dry_run.get("instance_sha256") != judged.get("instance_sha256"):
        problems.append(f"{ROSTER} judged instance "
                        f"{str(dry_run.get('instance_sha256'))[:12]}, not "
                        f"{str(judged.get('instance_sha256'))[:12]}")
    if (sick_call.get("baseline") == "stored plan"
            and sick_call.get("baseline_plan_sha256") != judged.get("stored_plan_sha256")):
        problems.append(f"{SICK_CALL} started from plan "
                        f"{str(sick_call.get('baseline_plan_sha256'))[:12]}, not the stored "
                        f"{str(judged.get('stored_plan_sha256'))[:12]}")
    return problems


def confirmation_problems(ref: Binding, dry_run: dict | None, sick_call: dict | None,
                          confirmation: dict | None) -> list[str]:
    """Why the drills' verdicts do not stand for `ref` (the migrated database), if they were
    judged before the migrations; [] when they were judged at `ref`'s head or confirmed."""
    judged = Binding.from_doc((dry_run or {}).get("target"))
    if judged is None or judged.ledger_head == ref.ledger_head:
        return []  # missing or unbound: the checklist and the target binding say so
    where = f"{ROSTER} judged ledger head {judged.ledger_head}, before the migrations"
    if confirmation is None:
        return [f"{where}, and {CONFIRMATION} (its inputs unchanged on the migrated "
                "database) is missing or not JSON"]
    if confirmation.get("verdict") != "PASS":
        return [f"{where}, and {CONFIRMATION} says {confirmation.get('verdict')} "
                f"(differs: {', '.join(confirmation.get('differs') or []) or '?'})"]
    confirmed = Binding.from_doc(confirmation.get("target"))
    if confirmed is None:
        return [f"{CONFIRMATION} names no target database"]
    problems = [f"{CONFIRMATION} judged another target than the migrations: {d}"
                for d in differences(ref, confirmed, FIELDS)]
    before = confirmation.get("judged_before_freeze")
    return problems + judged_inputs_problems(before if isinstance(before, dict) else {},
                                             dry_run or {}, sick_call or {})

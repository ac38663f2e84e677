"""What sits inside the writes-disabled window (docs/operations.md): the drills run before
the freeze only when the migrated database yields the very inputs they judged, and the
read-only gates run side by side, each timed, the first failure reported."""

from __future__ import annotations

import threading

import psycopg
import pytest

from cutover.approval.drills import judged_inputs_problems
from cutover.runbook import drills
from cutover.runbook.cutover_steps import Together, run_steps
from cutover.runbook.steps import Run, StepFailed

TENANT = "wien_pilot"


def test_the_drill_inputs_confirm_an_unchanged_week(make_platform):
    db = make_platform("latest")
    judged = drills.inputs(db.url(), TENANT)
    doc = drills.confirmation(db.url(), judged)
    assert doc["verdict"] == "PASS" and doc["differs"] == []
    assert doc["target"]["database"] == db.dbname and doc["target"]["ledger_head"]


def test_a_changed_week_is_not_confirmed_and_names_what_changed(make_platform):
    """Kill case: a shift moved after the drills judged the week; the confirmation must
    not let their verdicts stand."""
    db = make_platform("latest")
    judged = drills.inputs(db.url(), TENANT)
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute("UPDATE roster.shifts SET drive_minutes = drive_minutes - 1"
                     " WHERE id = (SELECT min(id) FROM roster.shifts"
                     "             WHERE tenant_id = %s AND starts_at >= %s::date)",
                     (TENANT, judged["week_start"]))
    doc = drills.confirmation(db.url(), judged)
    assert doc["verdict"] == "CHANGED"
    assert doc["differs"] == ["instance_sha256"]


def test_drill_artifacts_that_judged_other_inputs_are_named():
    judged = {"tenant": TENANT, "week_start": "2026-01-12", "instance_sha256": "a" * 64,
              "stored_plan_sha256": "b" * 64}
    ok = judged_inputs_problems(judged, {"instance_sha256": "a" * 64},
                                       {"baseline": "stored plan",
                                        "baseline_plan_sha256": "b" * 64})
    assert ok == []
    bad = judged_inputs_problems(judged, {"instance_sha256": "c" * 64},
                                        {"baseline": "stored plan",
                                         "baseline_plan_sha256": "d" * 64})
    assert len(bad) == 2
    assert bad[0].startswith("roster_dry_run.json judged instance cccccccccccc")
    assert bad[1].startswith("ops_drill_sick_call.json started from plan dddddddddddd")


def test_steps_together_run_side_by_side_each_timed_first_failure_in_order(tmp_path):
    """Both steps run to their end (each waits for the other to have started: side by
    side, not in turn); the first failure in the group's order is raised."""
    started = threading.Barrier(2, timeout=30)
    ran: list[str] = []

    def security(_run: Run) -> None:
        started.wait()
        ran.append("security")
        raise StepFailed("security gate FAIL")

    def smoke(_run: Run) -> None:
        started.wait()
        ran.append("smoke")
        raise StepFailed("smoke FAIL")

    phases: dict[str, dict] = {}
    run = Run(tmp_path, "", log=lambda _line: None)
    with pytest.raises(StepFailed, match="security gate FAIL"):
        run_steps(run, [("first", lambda _r: ran.append("first")),
                        Together((("security_gate", security), ("smoke_tests", smoke))),
                        ("never", lambda _r: ran.append("never"))], phases)
    assert sorted(ran) == ["first", "security", "smoke"]
    assert phases["security_gate"]["outcome"] == phases["smoke_tests"]["outcome"] == "FAIL"
    assert phases["first"]["outcome"] == "PASS" and "never" not in phases


def test_an_unreachable_backup_role_leaves_the_gates_on_the_live_data(tmp_path):
    """No snapshot can be held: the group runs unchanged (PM-003 then names the connection
    failure itself), the log says why, and the password stays out of it."""
    from cutover.runbook.cutover_steps import DATA_SNAPSHOT, pinned_data

    lines: list[str] = []
    url = "postgresql://solvereign_backup:s3cretpw@127.0.0.1:9/solvereign"
    run = Run(tmp_path, "postgresql://m@127.0.0.1:9/solvereign",
              environ={"SOLVEREIGN_BACKUP_DB_URL": url}, log=lines.append)
    with pinned_data(run) as pinned:
        assert pinned is run and DATA_SNAPSHOT not in pinned.environ
    assert len(lines) == 1 and "data snapshot not held" in lines[0], lines
    assert "s3cretpw" not in lines[0]

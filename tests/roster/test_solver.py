"""The sandbox solver and repair service always emit plans the oracle accepts, deterministically."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cutover.roster.canonical import instance_sha256, plan_bytes
from cutover.roster.parse import parse_instance, parse_plan
from cutover.roster.report import judge_documents
from sandbox.solver.generate import generate
from sandbox.solver.params import SolverParams
from sandbox.solver.sickcall import repair_with_stats, week_absences, with_absences
from sandbox.solver.weekly import solve_with_stats
from tests.roster.builders import driver, instance, plan, shift

REPO = Path(__file__).resolve().parents[2]
FAST = SolverParams(solve_deterministic_time=2.0, repair_deterministic_time=1.0)


def solved(doc: dict[str, Any], seed: int = 94) -> dict[str, Any]:
    return solve_with_stats(doc, seed, FAST)[0]


@pytest.mark.parametrize(("drivers", "shifts", "seed", "week"), [
    (6, 20, 1, "2026-01-12"), (10, 40, 2, "2026-01-12"), (12, 50, 3, "2026-03-23"),
    (12, 50, 4, "2026-10-19"),
])
def test_solve_output_passes_the_oracle(drivers: int, shifts: int, seed: int, week: str) -> None:
    doc = generate(drivers, shifts, seed, week_start=week)
    pl = solved(doc)
    report = judge_documents(doc, pl)
    assert report["violations"] == []
    assert report["plan_instance_sha256_matches"]
    assert report["figures"]["covered"] >= 0.8 * shifts
    assert sorted(pl) == ["assignments", "instance_sha256", "seed", "tenant", "uncovered"]


def test_solver_leaves_what_it_cannot_prove_uncovered() -> None:
    shifts = [shift("T1", "2026-01-12T06:00", 300, breaks=None),
              shift("T2", "2026-01-13T06:00", 300, drive=None),
              shift("T3", "2026-01-14T06:00", 300, qualification="X")]
    doc = instance(shifts)
    pl = solved(doc)
    assert pl["assignments"] == [] and pl["uncovered"] == ["T1", "T2", "T3"]
    no_history = {k: v for k, v in instance([shift("T1", "2026-01-12T06:00", 300)]).items()
                  if k != "history"}
    assert solved(no_history)["uncovered"] == ["T1"]  # R3/R6 would fail closed


def _busiest(pl: dict[str, Any]) -> str:
    counts: dict[str, int] = {}
    for a in pl["assignments"]:
        counts[a["driver"]] = counts.get(a["driver"], 0) + 1
    return max(sorted(counts), key=lambda d: counts[d])


def test_repair_is_valid_and_absent_drivers_hold_no_duty() -> None:
    doc = generate(12, 45, 7)
    baseline = solved(doc)
    absent = _busiest(baseline)
    absences = week_absences(doc, [absent])
    repaired, stats = repair_with_stats(doc, baseline, absences, 94, FAST)
    merged = with_absences(doc, absences)
    report = judge_documents(merged, repaired, baseline)
    assert report["violations"] == []
    assert repaired["instance_sha256"] == instance_sha256(merged)
    assert absent not in {a["driver"] for a in repaired["assignments"]}
    split = report["figures"]["coverage_split"]
    assert split["newly_uncovered"] == []
    assert stats["orphaned"] == report["figures"]["churn"]["orphaned"] > 0


def test_repair_with_a_spare_driver_changes_nothing_else() -> None:
    doc = generate(10, 40, 11)
    baseline = solved(doc)
    absent = _busiest(baseline)
    spare = copy.deepcopy(next(d for d in doc["drivers"] if d["id"] == absent))
    spare.update(id="DRV999", unavailable=[])
    doc["drivers"].append(spare)  # same site and licences, no history: a zero-churn repair exists
    repaired, stats = repair_with_stats(doc, baseline, week_absences(doc, [absent]), 94, FAST)
    before = {a["shift"]: a["driver"] for a in baseline["assignments"]}
    after = {a["shift"]: a["driver"] for a in repaired["assignments"]}
    orphans = {s for s, d in before.items() if d == absent}
    assert stats["churn"] == 0 and stats["stage_used"] == 1
    assert all(after[s] == d for s, d in before.items() if s not in orphans)
    assert all(s in after for s in orphans)
    assert sorted(repaired["uncovered"]) == sorted(baseline["uncovered"])


def test_repair_widens_only_when_orphans_stay_uncovered() -> None:
    shifts = [shift("S1", "2026-01-13T06:00", 480, 200, [(240, 45)]),
              shift("S2", "2026-01-13T06:00", 480, 200, [(240, 45)], qualification="CE")]
    drivers = [driver("DRVA", quals=("C", "CE")), driver("DRVB", quals=("C",)),
               driver("DRVX", quals=("C", "CE"))]
    doc = instance(shifts, drivers=drivers)
    baseline = plan([("S1", "DRVA"), ("S2", "DRVX")], instance_sha=instance_sha256(doc))
    repaired, stats = repair_with_stats(doc, baseline, week_absences(doc, ["DRVX"]), 94, FAST)
    assert [(a["shift"], a["driver"]) for a in repaired["assignments"]] == [
        ("S1", "DRVB"), ("S2", "DRVA")]
    assert stats["churn"] == 1 and stats["stage_used"] == 2
    assert stats["stages"][0]["uncovered"] == 1
    assert stats["stages"][1]["method"] == "chains"  # S1 moves to DRVB so DRVA can take S2
    assert stats["stages"][1]["churn_floor"] == 1  # the model proves no fewer moves


def test_repair_stops_after_stage_1_when_no_widening_can_cover_more() -> None:
    """The orphan needs a licence only the absent driver holds: no chain covers it, and a
    proof over the widest neighbourhood keeps every widening stage from running."""
    shifts = [shift("S1", "2026-01-13T06:00", 480, 200, [(240, 45)]),
              shift("S2", "2026-01-14T06:00", 480, 200, [(240, 45)], qualification="CE")]
    drivers = [driver("DRVA", quals=("C",)), driver("DRVB", quals=("C",)),
               driver("DRVX", quals=("C", "CE"))]
    doc = instance(shifts, drivers=drivers)
    baseline = plan([("S1", "DRVA"), ("S2", "DRVX")], instance_sha=instance_sha256(doc))
    repaired, stats = repair_with_stats(doc, baseline, week_absences(doc, ["DRVX"]), 94, FAST)
    assert [(a["shift"], a["driver"]) for a in repaired["assignments"]] == [("S1", "DRVA")]
    assert repaired["uncovered"] == ["S2"]
    assert stats["cover_bound"]["proven"] is True
    assert [(s.get("method"), s["status"], s["accepted"]) for s in stats["stages"][1:]] == [
        ("chains", "NO_CHAIN", False), ("chains", "NO_CHAIN", False)]  # no widening stage
    assert stats["churn"] == 0 and stats["stage_used"] == 1


def _run(args: list[str], hashseed: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    return subprocess.run([sys.executable, "-m", "sandbox.solver", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_solve_and_repair_are_byte_identical_across_processes(tmp_path: Path) -> None:
    inst = tmp_path / "instance.json"
    inst.write_text(json.dumps(generate(10, 40, 5)), encoding="utf-8")
    outputs = []
    for hashseed in ("1", "4242"):
        base, fixed = tmp_path / f"base{hashseed}.json", tmp_path / f"fix{hashseed}.json"
        done = _run(["solve", "--instance", str(inst), "--seed", "94", "--out", str(base),
                     "--deterministic-time", "2"], hashseed)
        assert done.returncode == 0, done.stderr
        done = _run(["repair", "--instance", str(inst), "--plan", str(tmp_path / "base1.json"),
                     "--absent-drivers", "DRV001,DRV002", "--seed", "94", "--out", str(fixed),
                     "--deterministic-time", "1"], hashseed)
        assert done.returncode == 0, done.stderr
        outputs.append((base.read_bytes(), fixed.read_bytes()))
    assert outputs[0] == outputs[1]
    base_doc = json.loads(outputs[0][0])
    assert outputs[0][0] == plan_bytes(base_doc) + b"\n"  # written in canonical form


def test_solver_cli_bad_input_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    done = _run(["solve", "--instance", str(bad), "--seed", "1", "--out",
                 str(tmp_path / "o.json")], "0")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_generator_is_deterministic_and_parses() -> None:
    one, two = generate(20, 60, 9), generate(20, 60, 9)
    assert one == two and one != generate(20, 60, 10)
    parsed = parse_instance(one)
    assert len(parsed.drivers) == 20 and len(parsed.shifts) == 60
    assert parsed.history and {s.site for s in parsed.shifts} <= {"W10", "W20"}
    parse_plan(solved(one), parsed)


def test_undo_churn_returns_needless_moves_only() -> None:
    from sandbox.solver.sickcall import undo_churn

    shifts = [shift("S1", "2026-01-13T06:00", 480, 200, [(240, 45)]),
              shift("S2", "2026-01-14T06:00", 480, 200, [(240, 45)])]
    doc = instance(shifts, drivers=[driver("DRVA"), driver("DRVB"),
                                    driver("DRVC", unavailable=[("2026-01-14T00:00", 1440)])])
    parsed = parse_instance(doc)
    kept = {"S1": "DRVA", "S2": "DRVC"}  # S2 is no longer workable for DRVC
    moved = {"S1": "DRVB", "S2": "DRVB"}
    assert undo_churn(parsed, moved, kept, FAST.limits) == {"S1": "DRVA", "S2": "DRVB"}


# issue 23: the new rules are in the model, not only in the oracle's post-check ---------------

def _model_outcome(doc: dict[str, Any]) -> dict[str, str]:
    """The CP-SAT search's own assignment, before the oracle sees it."""
    from sandbox.solver.problem import build_problem
    from sandbox.solver.search import optimise

    parsed = parse_instance(doc)
    problem = build_problem(parsed, FAST.limits)
    every = [s.id for s in problem.shifts]
    outcome = optimise(problem, every, {}, {}, {}, 94, FAST, 2.0, overtime_weight=0)
    assert outcome is not None
    return outcome.assignment


def _judged(doc: dict[str, Any], assignment: dict[str, str]) -> list[str]:
    pl = plan(sorted(assignment.items()),
              uncovered=[s["id"] for s in doc["shifts"] if s["id"] not in assignment])
    return [v["rule"] for v in judge_documents(doc, pl)["violations"]]


def test_model_keeps_night_work_within_600_per_24h() -> None:
    # R13: 20:00-04:00 then 15:00-23:00 (690 in the 24 h from 20:00): one driver takes one
    doc = instance([shift("N", "2026-01-12T20:00", 480, 200, [(240, 45)]),
                    shift("A", "2026-01-13T15:00", 480, 200, [(240, 45)])])
    assignment = _model_outcome(doc)
    assert len(assignment) == 1 and _judged(doc, assignment) == []
    two = copy.deepcopy(doc)
    two["drivers"].append(driver("DRV002"))
    assert len(_model_outcome(two)) == 2


def test_model_skips_shifts_working_over_six_hours_in_a_row() -> None:
    # R12: 420 minutes before the only break: no driver may work it
    doc = instance([shift("T1", "2026-01-12T06:00", 480, 200, [(420, 45)]),
                    shift("T2", "2026-01-13T06:00", 480, 200, [(240, 45)])])
    assert sorted(_model_outcome(doc)) == ["T2"]


def test_model_plans_a_second_regular_weekly_rest() -> None:
    # R11: previous week Mon-Sat (its last rest is 40 h, reduced), this week a shift every day:
    # the model leaves out shifts so that a regular rest of 2700 follows the first shift
    from tests.roster.builders import history

    hist = [history("DRV001", "2026-01-05T06:00", 480, 200, offset=d * 1440) for d in range(6)]
    shifts = [shift(f"T{d}", "2026-01-12T06:00", 480, 200, [(240, 45)], offset=d * 1440)
              for d in range(7)]
    doc = instance(shifts, hist=hist)
    assignment = _model_outcome(doc)
    assert assignment and len(assignment) < 7
    assert _judged(doc, assignment) == []

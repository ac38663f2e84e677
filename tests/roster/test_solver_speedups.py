"""What makes the solver fast changes nothing it decides (issue 23): independent parts, R13
pairs judged once, the oracle re-judging only what changed, the model's rules for a known
week answered by arithmetic (`fixedweek`, against CP-SAT itself), chains that only build weeks
the model accepts; and the benchmark's JSON records."""

from __future__ import annotations

import functools
import json
import random
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cutover.roster.canonical import instance_sha256
from cutover.roster.model import Shift
from cutover.roster.parse import parse_instance
from cutover.roster.rules import Limits, check_plan
from sandbox.solver import fixedweek
from sandbox.solver.chains import chain_cover
from sandbox.solver.cpmodel import candidates, driver_fits, is_frozen
from sandbox.solver.finalize import as_plan, make_valid
from sandbox.solver.generate import generate
from sandbox.solver.greedy import greedy
from sandbox.solver.params import SolverParams
from sandbox.solver.problem import Problem, build_problem
from sandbox.solver.search import components
from sandbox.solver.sickcall import repair_with_stats, week_absences, with_absences
from tests.roster.builders import driver, instance, plan, shift

REPO = Path(__file__).resolve().parents[2]


def test_parts_follow_the_candidate_pairs() -> None:
    # two sites: no driver can take the other site's shift, so two independent searches
    doc = instance([shift("A1", "2026-01-12T06:00", 480, 200, [(240, 45)]),
                    shift("B1", "2026-01-12T06:00", 480, 200, [(240, 45)], site="W20"),
                    shift("A2", "2026-01-13T06:00", 480, 200, [(240, 45)]),
                    shift("X", "2026-01-13T06:00", 480, 200, [(240, 45)], site="W99")],
                   drivers=[driver("DRV001"), driver("DRV002", site="W20")])
    problem = build_problem(parse_instance(doc), Limits())
    cands = candidates(problem, [s.id for s in problem.shifts], {})
    assert components(cands) == [["A1", "A2"], ["B1"]]  # X has no candidate: no part
    # cross-site allowed: DRV001 (C and CE) could take every shift, so one part
    problem = build_problem(parse_instance(doc), Limits(allow_cross_site=True))
    cands = candidates(problem, [s.id for s in problem.shifts], {})
    assert components(cands) == [["A1", "A2", "B1", "X"]]


def test_night_pairs_match_the_oracle_on_every_pair() -> None:
    """The model's R13 pair table (judged once per pair) says what the oracle says for one
    driver working both shifts, on every pair of a generated week that keeps a daily rest."""
    doc = generate(12, 60, 3)
    parsed = parse_instance(doc)
    problem = build_problem(parsed, Limits())
    rest = problem.limits.daily_rest
    checked = 0
    for a in problem.shifts:
        for b in problem.shifts:
            if b.start < a.end + rest or b.start - a.end >= 1440:
                continue
            pl = as_plan(parsed, {a.id: "DRV001", b.id: "DRV001"}, "", 0)
            oracle = any(v.rule == "R13" for v in check_plan(parsed, pl))
            assert (b.id in problem.night_partners(a.id)) == oracle, (a.id, b.id)
            checked += 1
    assert checked > 50


def test_make_valid_reports_check_plans_findings_and_drops_the_same() -> None:
    """Re-judging only the driver who lost a shift gives check_plan's findings, in its order,
    and the same valid plan as judging the whole plan every time."""
    doc = generate(10, 50, 5)
    parsed = parse_instance(doc)
    rng = random.Random(7)
    drivers = sorted(d["id"] for d in doc["drivers"])
    wild = {s["id"]: rng.choice(drivers) for s in doc["shifts"]}  # breaks many rules
    valid, first = make_valid(parsed, wild, Limits())
    assert first == check_plan(parsed, as_plan(parsed, wild, "", 0), Limits())
    assert first and check_plan(parsed, as_plan(parsed, valid, "", 0), Limits()) == []
    current = dict(wild)  # the reference: judge the whole plan after every drop
    while violations := check_plan(parsed, as_plan(parsed, current, "", 0), Limits()):
        named = [s for s in violations[0].shifts if s in current]
        del current[max(named, key=lambda s: (True, parsed.shift_by_id[s].start, s))]
    assert valid == current


def test_bench_writes_json_records(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "bench/bench_roster.py", "--scales", "6x20",
                           "--runs", "2", "--json", str(out)], cwd=REPO, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert "solve    6x20" in done.stdout and "repair   6x20" in done.stdout  # the table stays
    records = json.loads(out.read_text())
    assert [r["name"] for r in records] == ["roster solve 6x20", "roster repair 6x20"]
    for r in records:
        assert set(r) == {"name", "value", "unit", "baseline", "ratio", "pg_version",
                          "cpu_count"}
        assert r["unit"] == "s" and r["value"] >= 0 and r["pg_version"] is None
        assert r["baseline"] is None and r["ratio"] is None  # targets are set at 100x450
        assert r["cpu_count"] >= 1
    bad = subprocess.run([sys.executable, "bench/bench_roster.py", "--scales", "6by20"],
                         cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2 and "--scales" in bad.stderr and "Traceback" not in bad.stderr


@functools.lru_cache(maxsize=8)
def _problem(seed: int, week: str) -> Problem:
    """A generated week (16 weeks of history) and its problem, built once per test session."""
    return build_problem(parse_instance(generate(10, 60, seed, week_start=week)), Limits())


def _week(problem: Problem, rng: random.Random) -> tuple[str, list[str]]:
    """A driver and up to 8 shifts it is eligible for, a daily rest apart (so the answer
    turns on the weekly rules, not on the first overlap)."""
    d = rng.choice(problem.drivers).id
    mine = [s for s in problem.shifts if d in problem.eligible[s.id]]
    rng.shuffle(mine)
    picked: list[Shift] = []
    for s in mine[:rng.randint(1, 12)]:
        if len(picked) < 8 and all(s.start >= o.end + 660 or s.end + 660 <= o.start
                                   for o in picked):
            picked.append(s)
    return d, [s.id for s in picked]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 5), week=st.sampled_from(["2026-01-12", "2026-03-23", "2026-10-19"]),
       draw=st.integers(0, 2**32 - 1))
def test_fixedweek_answers_as_the_model(seed: int, week: str, draw: int) -> None:
    """The arithmetic answers of `fixedweek` are the CP-SAT model's: for a driver working
    exactly these shifts (every rule of `driver_rules`), and for the frozen probe."""
    problem = _problem(seed, week)
    d, ids = _week(problem, random.Random(draw))
    assert fixedweek.fits(problem, d, ids) == driver_fits(problem, d, ids), (d, ids)
    problem.probe_memo.clear()
    assert fixedweek.frozen(problem, d, ids) == is_frozen(problem, d, ids), (d, ids)


def test_fixedweek_sees_both_answers() -> None:
    """The comparison above is not vacuous: weeks the model accepts and rejects, drivers
    frozen and not, across the DST weeks (and each answer the same as CP-SAT's)."""
    seen = set()
    for seed, week in [(0, "2026-01-12"), (1, "2026-03-23"), (2, "2026-10-19")]:
        problem = _problem(seed, week)
        rng = random.Random(seed)
        for _ in range(25):
            d, ids = _week(problem, rng)
            fits = fixedweek.fits(problem, d, ids)
            frozen = fixedweek.frozen(problem, d, ids)
            assert fits == driver_fits(problem, d, ids)
            problem.probe_memo.clear()
            assert frozen == is_frozen(problem, d, ids)
            seen |= {("fits", fits), ("frozen", frozen)}
    assert seen == {("fits", True), ("fits", False), ("frozen", True), ("frozen", False)}


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 30), absent=st.integers(0, 7))
def test_chains_only_build_weeks_the_model_accepts(seed: int, absent: int) -> None:
    """Every week a chain changes is one the CP-SAT model accepts (and not frozen), the
    chain covers orphans only by moving shifts of the week, and its churn is what it moved."""
    doc = generate(8, 36, seed)
    problem = build_problem(parse_instance(doc), Limits())
    kept = greedy(problem, seed, [s.id for s in problem.shifts])
    gone = sorted(d.id for d in problem.drivers)[absent]
    orphans = sorted(s for s, d in kept.items() if d == gone)
    kept = {s: d for s, d in kept.items() if d != gone}
    sick = with_absences(doc, week_absences(doc, [gone]))
    problem = build_problem(parse_instance(sick), Limits())
    after = chain_cover(problem, orphans, kept, kept, 660)
    assert set(after) >= set(kept) and set(after) - set(kept) <= set(orphans)
    assert gone not in after.values()
    changed = {d for s, d in after.items() if kept.get(s) != d}
    changed |= {kept[s] for s in kept if after[s] != kept[s]}
    for d in sorted(changed):
        week = sorted(s for s, x in after.items() if x == d)
        assert driver_fits(problem, d, week), (d, week)
        problem.probe_memo.clear()
        assert not is_frozen(problem, d, week), (d, week)


def test_chain_moves_the_blocker_to_who_can_take_it() -> None:
    """The orphan needs a CE licence: DRVA holds one but works S1 at the same time, DRVB
    could take S1; the least-churn chain moves exactly S1 (churn 1)."""
    doc = instance([shift("S1", "2026-01-13T06:00", 480, 200, [(240, 45)]),
                    shift("S2", "2026-01-13T06:00", 480, 200, [(240, 45)], qualification="CE")],
                   drivers=[driver("DRVA", quals=("C", "CE")), driver("DRVB", quals=("C",))])
    problem = build_problem(parse_instance(doc), Limits())
    after = chain_cover(problem, ["S2"], {"S1": "DRVA"}, {"S1": "DRVA"}, 660)
    assert after == {"S1": "DRVB", "S2": "DRVA"}


def test_short_recorded_history_takes_no_shift_where_r14_fails_closed() -> None:
    """A driver whose own record holds 4 of the 16 weeks R14 needs gets no shift while R14
    fails closed (the oracle would reject every one); with the tenant's opt-out it may."""
    short = {**driver("DRV002"), "history_weeks": 4}
    doc = instance([shift("S1", "2026-01-13T06:00", 480, 200, [(240, 45)])],
                   drivers=[driver("DRV001"), short])
    assert build_problem(parse_instance(doc), Limits()).eligible["S1"] == ("DRV001",)
    opt_out = Limits(average_requires_history=False)
    assert build_problem(parse_instance(doc), opt_out).eligible["S1"] == ("DRV001", "DRV002")


def test_two_link_chain_when_one_link_is_not_enough() -> None:
    """S3 needs CE (only DRVA), DRVA works S1 then; S1 needs D (DRVA, DRVB), DRVB works S2
    then; S2 can go to DRVC. One link cannot cover S3; two can (churn 2), and the repair finds
    it after the model's widening searches could not (they free only DRVA's shifts)."""
    doc = instance([shift("S1", "2026-01-13T06:00", 480, 200, [(240, 45)], qualification="D"),
                    shift("S2", "2026-01-13T07:00", 480, 200, [(240, 45)]),
                    shift("S3", "2026-01-13T06:00", 480, 200, [(240, 45)], qualification="CE")],
                   drivers=[driver("DRVA", quals=("CE", "D")), driver("DRVB", quals=("C", "D")),
                            driver("DRVC", quals=("C",)), driver("DRVX", quals=("CE",))])
    sick = week_absences(doc, ["DRVX"])
    problem = build_problem(parse_instance(with_absences(doc, sick)), Limits())
    kept = {"S1": "DRVA", "S2": "DRVB"}
    assert chain_cover(problem, ["S3"], kept, kept, 660) == kept
    assert chain_cover(problem, ["S3"], kept, kept, 660, depth=2) == {
        "S1": "DRVB", "S2": "DRVC", "S3": "DRVA"}
    baseline = plan([("S1", "DRVA"), ("S2", "DRVB"), ("S3", "DRVX")],
                    instance_sha=instance_sha256(doc))
    repaired, stats = repair_with_stats(doc, baseline, sick, 94,
                                        SolverParams(repair_deterministic_time=1.0))
    assert [(a["shift"], a["driver"]) for a in repaired["assignments"]] == [
        ("S1", "DRVB"), ("S2", "DRVC"), ("S3", "DRVA")]
    assert stats["churn"] == 2 and stats["orphans_uncovered"] == 0
    last = stats["stages"][stats["stage_used"] - 1]
    assert last["method"] == "chains" and last["churn_floor"] == 2
    assert all(not s["accepted"] for s in stats["stages"][1:stats["stage_used"] - 1])

"""What makes the solver fast changes nothing it decides (issue 23): independent parts, R13
pairs judged once, the oracle re-judging only what changed; and the benchmark's JSON records."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from cutover.roster.parse import parse_instance
from cutover.roster.rules import Limits, check_plan
from sandbox.solver.cpmodel import candidates
from sandbox.solver.finalize import as_plan, make_valid
from sandbox.solver.generate import generate
from sandbox.solver.problem import build_problem
from sandbox.solver.search import components
from tests.roster.builders import driver, instance, shift

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

"""Benchmark of the sandbox roster solver and sick-call repair (not a test; prints figures).

    python bench/bench_roster.py [--scales 50x200,100x450,150x1000] [--seed 94]

For each scale: a generated Wien-pilot-like instance (generator seed 1), a weekly solve and a
repair after DRV001..DRV003 fall sick for the whole week. Printed per run: wall time, coverage,
oracle violations (must be 0), and for the repair the churn against the minimum proven by the
staged model (stage 1 freezes every kept assignment, so when it places every orphan the proven
minimum is 0; otherwise the floor is derived from the widest accepted stage's objective bound).
Targets (DESIGN §7.5 / issue 7): pilot solve < 30 s, repair < 2 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cutover.roster.report import judge_documents
from sandbox.solver.generate import generate
from sandbox.solver.params import SolverParams
from sandbox.solver.sickcall import repair_with_stats, week_absences, with_absences
from sandbox.solver.weekly import solve_with_stats

ABSENT = ["DRV001", "DRV002", "DRV003"]


def bench_scale(drivers: int, shifts: int, seed: int, params: SolverParams) -> None:
    """Solve and repair one generated instance and print one line each."""
    doc = generate(drivers, shifts, 1)
    started = time.perf_counter()
    plan, stats = solve_with_stats(doc, seed, params)
    solve_s = time.perf_counter() - started
    report = judge_documents(doc, plan)
    figs = report["figures"]
    print(f"solve  {drivers:>3}x{shifts:<4} {solve_s:7.2f} s  covered {figs['covered']}/"
          f"{figs['shifts']}  violations {report['violation_count']}  "
          f"status {stats['status']} from {stats['source']} (greedy {stats['greedy_covered']})  "
          f"objective {stats['objective']} bound {stats['bound']}")
    absences = week_absences(doc, ABSENT)
    started = time.perf_counter()
    repaired, rstats = repair_with_stats(doc, plan, absences, seed, params)
    repair_s = time.perf_counter() - started
    rreport = judge_documents(with_absences(doc, absences), repaired, plan)
    rfigs = rreport["figures"]
    floor = _churn_floor(rstats)
    print(f"repair {drivers:>3}x{shifts:<4} {repair_s:7.2f} s  covered {rfigs['covered']}/"
          f"{rfigs['shifts']}  violations {rreport['violation_count']}  "
          f"orphans {rstats['orphaned']} (uncovered {rstats['orphans_uncovered']})  "
          f"churn {rstats['churn']} vs proven minimum {floor}  stage {rstats['stage_used']}  "
          f"drivers touched {rfigs['churn']['drivers_touched']}  "
          f"changes<24h {rfigs['changes_within_24h']}")
    print(f"       stages: {_stages(rstats)}")
    if bound := rstats.get("cover_bound"):
        print(f"       cover bound over {bound['free_shifts']} free shifts: {bound['status']}, "
              f"{bound['deterministic_time']} det-s, "
              f"{'no widening can cover more' if bound['proven'] else 'not proven: widened'}")


def _churn_floor(stats: dict) -> str:
    """The churn floor the staged model proves (stage 1 freezes all kept assignments)."""
    if stats["stage_used"] == 1:
        return "0 (stage 1, kept assignments frozen)"
    last = stats["stages"][stats["stage_used"] - 1]
    how = "optimal" if last["status"] == "OPTIMAL" else "objective bound"
    return (f"{last.get('churn_floor', '?')} ({how} over the shifts stage "
            f"{stats['stage_used']} had to move; stage 1 proved 0 churn leaves orphans open)")


def _stages(stats: dict) -> str:
    """Stage by stage: free shifts, status, deterministic time, accepted or not."""
    return "; ".join(
        f"{i}: {s['free_shifts']} free, {s['status']}, {s.get('deterministic_time', '-')} det-s"
        f"{'' if s['accepted'] else ', rejected (no more cover)'}"
        for i, s in enumerate(stats["stages"], start=1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="50x200,100x450,150x1000")
    parser.add_argument("--seed", type=int, default=94)
    args = parser.parse_args()
    params = SolverParams()
    print(f"params: workers={params.num_workers} solve_dtime={params.solve_deterministic_time} "
          f"repair_dtime={params.repair_deterministic_time} seed={args.seed}")
    for scale in args.scales.split(","):
        drivers, shifts = (int(x) for x in scale.lower().split("x"))
        bench_scale(drivers, shifts, args.seed, params)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the sandbox roster solver and sick-call repair (not a test; prints figures).

    python bench/bench_roster.py [--scales 50x200,100x450,150x1000] [--seed 94] [--runs 2]
                                 [--json FILE]

For each scale: a generated Wien-pilot-like instance (generator seed 1), a weekly solve and a
repair after DRV001..DRV003 fall sick for the whole week. Printed per run: wall time (and the
CPU time of this process and its solver threads, the work done whatever the load), coverage,
oracle violations (must be 0), and for the repair the churn against the minimum proven by the
staged model (stage 1 freezes every kept assignment, so when it places every orphan the proven
minimum is 0; otherwise the floor is derived from the widest accepted stage's objective bound,
the model's least churn over the shifts that stage had to move: giving shifts back to their
baseline drivers where the oracle, less conservative than the model, accepts it can end
below it, and the line says so).
Each solve and repair runs `--runs` times (at least 2): the median wall time is printed, and
whether every run gave the same plan bytes; violations are counted per rule (R0..R14), so a
rule the solver does not honour shows by name. The load average is printed with the figures,
since wall times on a shared machine are inflated.
Targets (docs/roster.md / issues 7, 23): 100x450 solve <= 30 s, repair <= 2 s on 2 cores.
`--json FILE` also writes the medians as a list of records {name, value, unit, baseline, ratio,
pg_version, cpu_count} (issue 17): names say the scale ("roster solve 100x450"), the baseline is
the target (ratio = value / target; at most 1 meets it; no target at other scales: null), and
pg_version is null because no PostgreSQL is involved.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cutover.argtypes import OneLineParser
from cutover.roster.canonical import plan_bytes
from cutover.roster.report import judge_documents
from sandbox.solver.generate import generate
from sandbox.solver.params import SolverParams
from sandbox.solver.sickcall import repair_with_stats, week_absences, with_absences
from sandbox.solver.weekly import solve_with_stats

ABSENT = ["DRV001", "DRV002", "DRV003"]
TARGETS = {"roster solve 100x450": 30.0, "roster repair 100x450": 2.0}  # seconds, 2 cores


def _timed(runs: int, call: Callable[[], tuple[dict, dict]],
           ) -> tuple[float, float, tuple, bool]:
    """Run `call` `runs` times: (median wall seconds, median CPU seconds of this process and
    its solver threads, first result, every plan's bytes identical). CPU time shows the work
    done when a shared machine's load inflates the wall time."""
    times, cpu, results = [], [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        results.append(call())
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    same = len({plan_bytes(r[0]) for r in results}) == 1
    return statistics.median(times), statistics.median(cpu), results[0], same


def _per_rule(report: dict) -> str:
    counts = {r: n for r, n in report["figures"]["violations_per_rule"].items() if n}
    return ", ".join(f"{r} {n}" for r, n in counts.items()) or "none"


def record(name: str, seconds: float) -> dict[str, object]:
    """One machine-readable figure: the median against its target, where there is one."""
    target = TARGETS.get(name)
    return {"name": name, "value": round(seconds, 3), "unit": "s", "baseline": target,
            "ratio": round(seconds / target, 3) if target else None, "pg_version": None,
            "cpu_count": os.cpu_count()}


def bench_scale(drivers: int, shifts: int, seed: int, params: SolverParams,
                runs: int = 2) -> list[dict[str, object]]:
    """Solve and repair one generated instance `runs` times each; print a line each, return
    the two median records."""
    doc = generate(drivers, shifts, 1)
    solve_s, solve_cpu, (plan, stats), same = _timed(
        runs, lambda: solve_with_stats(doc, seed, params))
    report = judge_documents(doc, plan)
    figs = report["figures"]
    print(f"solve  {drivers:>3}x{shifts:<4} median {solve_s:7.2f} s (cpu {solve_cpu:.2f} s) "
          f"of {runs}  "
          f"identical {same}  covered {figs['covered']}/{figs['shifts']}  "
          f"violations {report['violation_count']} ({_per_rule(report)})  "
          f"status {stats['status']} from {stats['source']} (greedy {stats['greedy_covered']})  "
          f"objective {stats['objective']} bound {stats['bound']}  "
          f"load {os.getloadavg()[0]:.2f}")
    absences = week_absences(doc, ABSENT)
    repair_s, repair_cpu, (repaired, rstats), rsame = _timed(
        runs, lambda: repair_with_stats(doc, plan, absences, seed, params))
    rreport = judge_documents(with_absences(doc, absences), repaired, plan)
    rfigs = rreport["figures"]
    floor = _churn_floor(rstats)
    print(f"repair {drivers:>3}x{shifts:<4} median {repair_s:7.2f} s (cpu {repair_cpu:.2f} s) "
          f"of {runs}  "
          f"identical {rsame}  covered {rfigs['covered']}/"
          f"{rfigs['shifts']}  violations {rreport['violation_count']} ({_per_rule(rreport)})  "
          f"orphans {rstats['orphaned']} (uncovered {rstats['orphans_uncovered']})  "
          f"churn {rstats['churn']} vs proven minimum {floor}  stage {rstats['stage_used']}  "
          f"drivers touched {rfigs['churn']['drivers_touched']}  "
          f"changes<24h {rfigs['changes_within_24h']}  load {os.getloadavg()[0]:.2f}")
    print(f"       stages: {_stages(rstats)}")
    if bound := rstats.get("cover_bound"):
        print(f"       cover bound over {bound['free_shifts']} free shifts: {bound['status']}, "
              f"{bound['deterministic_time']} det-s, "
              f"{'no widening can cover more' if bound['proven'] else 'not proven: widened'}")
    scale = f"{drivers}x{shifts}"
    return [record(f"roster solve {scale}", solve_s), record(f"roster repair {scale}", repair_s)]


def _churn_floor(stats: dict) -> str:
    """The churn floor the staged model proves (stage 1 freezes all kept assignments)."""
    if stats["stage_used"] == 1:
        return "0 (stage 1, kept assignments frozen)"
    last = stats["stages"][stats["stage_used"] - 1]
    how = "optimal" if last["status"] == "OPTIMAL" else "objective bound"
    below = ("; moves back the oracle accepts, which the stricter model does not, went below it"
             if stats["churn"] < last.get("churn_floor", 0) else "")
    return (f"{last.get('churn_floor', '?')} ({how} in the model over the shifts stage "
            f"{stats['stage_used']} had to move; stage 1 proved 0 churn leaves orphans open"
            f"{below})")


def _stages(stats: dict) -> str:
    """Stage by stage: free shifts, status, deterministic time, accepted or not."""
    def fate(s: dict) -> str:
        if s["accepted"]:
            return ""
        return (", not run (too many free shifts)" if s["status"] == "NOT_TRIED"
                else ", rejected (no more cover)")

    return "; ".join(
        f"{i}: {s['free_shifts']} free, {s['status']}, {s.get('deterministic_time', '-')} det-s"
        f"{' (chains)' if s.get('method') == 'chains' else ''}{fate(s)}"
        for i, s in enumerate(stats["stages"], start=1))


def main() -> int:
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="50x200,100x450,150x1000")
    parser.add_argument("--seed", type=int, default=94)
    parser.add_argument("--runs", type=int, default=2, help="runs per solve/repair (>= 2)")
    parser.add_argument("--json", metavar="FILE", help="also write the medians as JSON records")
    args = parser.parse_args()
    if args.runs < 2:
        parser.error("--runs must be at least 2 (two runs prove the bytes are identical)")
    scales = [scale.lower().split("x") for scale in args.scales.split(",")]
    if not all(len(s) == 2 and all(x.isdigit() for x in s) for s in scales):
        parser.error(f"--scales: expected DRIVERSxSHIFTS[,...], got {args.scales!r}")
    params = SolverParams()
    print(f"params: workers={params.num_workers} solve_dtime={params.solve_deterministic_time} "
          f"repair_dtime={params.repair_deterministic_time} seed={args.seed}")
    records = []
    for drivers, shifts in ((int(d), int(s)) for d, s in scales):
        records.extend(bench_scale(drivers, shifts, args.seed, params, args.runs))
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

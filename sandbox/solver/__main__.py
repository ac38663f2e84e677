"""`python -m sandbox.solver {solve,repair,generate}`: the sandbox solver on the command line.

    solve    --instance F --seed N --out F
    repair   --instance F --plan F --absent-drivers DRV001,DRV002 --seed N --out F
             [--absent-from ISO] [--absent-until ISO] [--instance-out F]
    generate --drivers 50 --shifts 200 --seed N --out F

Plans are written in canonical JSON (the bytes that are hashed) with a final newline; a repair's
plan refers to the instance with the absences added, which `--instance-out` writes. Solver
statistics go to stderr as one JSON line. Bad input: one line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from cutover.errors import EXIT_BAD_INPUT, ConfigError
from cutover.roster.canonical import dumps_canonical, plan_bytes
from cutover.roster.model import load_json
from sandbox.solver.generate import generate
from sandbox.solver.params import SolverParams
from sandbox.solver.sickcall import repair_with_stats, week_absences, with_absences
from sandbox.solver.weekly import solve_with_stats


def build_parser() -> argparse.ArgumentParser:
    """The three subcommands and their flags."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.solver",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    solve = sub.add_parser("solve", help="roster the week from scratch")
    solve.add_argument("--instance", required=True)
    solve.add_argument("--seed", type=int, required=True)
    solve.add_argument("--out", required=True)
    solve.add_argument("--deterministic-time", type=float, default=None,
                       help="CP-SAT deterministic-time budget (default: SolverParams)")
    repair = sub.add_parser("repair", help="repair a plan after absences")
    repair.add_argument("--instance", required=True)
    repair.add_argument("--plan", required=True, help="the baseline plan")
    repair.add_argument("--absent-drivers", required=True, help="comma-separated driver ids")
    repair.add_argument("--absent-from", help="absence start (ISO, default: week start)")
    repair.add_argument("--absent-until", help="absence end (ISO, default: week end)")
    repair.add_argument("--seed", type=int, required=True)
    repair.add_argument("--out", required=True)
    repair.add_argument("--instance-out", help="write the instance with the absences added")
    repair.add_argument("--deterministic-time", type=float, default=None,
                        help="CP-SAT deterministic-time budget per stage (default: SolverParams)")
    gen = sub.add_parser("generate", help="write a Wien-pilot-like instance")
    gen.add_argument("--drivers", type=int, default=50)
    gen.add_argument("--shifts", type=int, default=200)
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--out", required=True)
    return parser


def _write(path: str, data: bytes) -> None:
    Path(path).write_bytes(data + b"\n")


def _stats(stats: dict[str, Any]) -> None:
    sys.stderr.write(json.dumps(stats, sort_keys=True) + "\n")


def run(args: argparse.Namespace) -> int:
    """Dispatch one subcommand."""
    if args.action == "generate":
        _write(args.out, dumps_canonical(generate(args.drivers, args.shifts, args.seed)))
        return 0
    instance = load_json(args.instance)
    params = SolverParams()
    if args.deterministic_time is not None:
        params = replace(params, solve_deterministic_time=args.deterministic_time,
                         repair_deterministic_time=args.deterministic_time)
    if args.action == "solve":
        plan, stats = solve_with_stats(instance, args.seed, params)
    else:
        drivers = [d.strip() for d in args.absent_drivers.split(",") if d.strip()]
        if not drivers:
            raise ConfigError("--absent-drivers: no driver ids given")
        absences = week_absences(instance, drivers, args.absent_from, args.absent_until)
        plan, stats = repair_with_stats(instance, load_json(args.plan), absences, args.seed,
                                        params)
        if args.instance_out:
            _write(args.instance_out, dumps_canonical(with_absences(instance, absences)))
    _write(args.out, plan_bytes(plan))
    _stats(stats)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: bad input is one line and exit 2."""
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except ConfigError as exc:
        print(f"sandbox.solver: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())

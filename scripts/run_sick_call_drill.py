#!/usr/bin/env python3
"""Runbook §5.2: the sick-call drill, a read-only repair of the tenant's week.

    python scripts/run_sick_call_drill.py --dry-run --seed 94 \\
        --absent-drivers DRV001,DRV002,DRV003 --tenant wien_pilot [--db-url URL]

Writes ops_drill_sick_call.json, prints `VERDICT: PASS|WARN|FAIL`, exits 0/1/2 (bad
input such as an unknown tenant or driver is one line and exit 2; a crash exits 3).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cutover import argtypes, settings
from cutover.errors import EXIT_CRASH, ConfigError, CutoverError
from cutover.evidence.bundle import write_json
from cutover.evidence.reseal import require_reseal_key, reseal_after_writing
from cutover.gate.verdict import EXIT_CODES
from cutover.roster.drill import sick_call
from cutover.roster.rules import tenant_limits


def build_parser() -> argtypes.OneLineParser:
    """The command line (tests/release/test_help.py reads every option's help)."""
    parser = argtypes.OneLineParser(prog="run_sick_call_drill.py",
                                    description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", help="the database whose week is repaired, read only "
                                         "(default: $SOLVEREIGN_DB_URL; one is required)")
    parser.add_argument("--tenant", required=True, help="the tenant whose drivers call in sick")
    parser.add_argument("--absent-drivers", required=True, help="comma-separated driver ids")
    parser.add_argument("--seed", type=argtypes.nonnegative_int, default=94,
                        help="the solver's seed (default: %(default)s)")
    parser.add_argument("--max-churn", type=argtypes.nonnegative_int, default=10,
                        help="changes outside the orphaned shifts before the drill warns "
                             "(default: %(default)s)")
    parser.add_argument("--average-where-history-allows", action="store_true",
                        help="the tenant's R14 opt-out: judge the 17-week average only where "
                             "the history covers it (default: missing history fails closed)")
    parser.add_argument("--dry-run", action="store_true",
                        help="the only mode, required: nothing written")
    parser.add_argument("--artifacts-dir", type=argtypes.output_dir, default=Path("artifacts"),
                        help="where ops_drill_sick_call.json is written (default: %(default)s)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        url = settings.db_url(args.db_url)
        if not args.dry_run:
            raise ConfigError("the drill only runs as --dry-run (it never writes a plan)")
        absent = [d.strip() for d in args.absent_drivers.split(",") if d.strip()]
        if not absent:
            raise ConfigError("--absent-drivers names no driver")
        require_reseal_key(args.artifacts_dir, "run_sick_call_drill.py")
        limits = tenant_limits(average_where_history_allows=args.average_where_history_allows)
        doc = sick_call(url, args.tenant, absent, seed=args.seed, max_churn=args.max_churn,
                        limits=limits)
    except CutoverError as exc:
        print(f"run_sick_call_drill: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a crash must not read as a verdict
        print(f"run_sick_call_drill: internal error ({type(exc).__name__}): {exc}",
              file=sys.stderr)
        return EXIT_CRASH
    write_json(args.artifacts_dir / "ops_drill_sick_call.json", doc)
    churn = (doc["figures"].get("churn") or {})
    print(f"orphaned {churn.get('orphaned')}, reassigned {churn.get('orphans_reassigned')}, "
          f"churn {churn.get('changed')}, violations {doc['violation_count']}, "
          f"plan {doc['plan_sha256'][:16]} (twice: {not doc['failures']['not_deterministic']})")
    counts = doc["figures"].get("violations_per_rule") or {}
    ordered = sorted(counts, key=lambda r: int(r[1:]))
    print("violations per rule: " + ", ".join(f"{r} {counts[r]}" for r in ordered))
    for rule, why in sorted((doc["figures"].get("rules_not_judged") or {}).items()):
        print(f"  not judged {rule}: {why}")
    for name, value in {**doc["failures"], **doc["warnings"]}.items():
        if value:
            print(f"  {name}: {value}")
    reseal_after_writing(args.artifacts_dir, ["ops_drill_sick_call.json"])
    print(f"VERDICT: {doc['verdict']}")
    return EXIT_CODES[doc["verdict"]]


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Runbook §5.1: the Wien roster gate, a read-only dry run of the platform's solver.

    ./scripts/ci/wien_roster_gate.sh --skip-routing --dry-run --db-url URL [--artifacts-dir DIR]

Runs the roster checks (PM-200..PM-202), writes roster_dry_run.json, prints
`GATE STATUS: PASS|FAIL`, exits 0/1 (2 bad input, 3 if the gate could not run).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cutover import argtypes, settings
from cutover.errors import ConfigError
from cutover.evidence.reseal import require_reseal_key, reseal_after_writing
from cutover.gate.run import crash, run_phase


def build_parser() -> argtypes.OneLineParser:
    """The command line (tests/release/test_help.py reads every option's help)."""
    parser = argtypes.OneLineParser(prog="wien_roster_gate.sh",
                                    description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", help="the migrated database, read only "
                                         "(default: $SOLVEREIGN_DB_URL; one is required)")
    parser.add_argument("--artifacts-dir", type=argtypes.output_dir, default=Path("artifacts"),
                        help="where roster_gate_result.json and roster_dry_run.json are "
                             "written (default: %(default)s)")
    parser.add_argument("--skip-routing", action="store_true",
                        help="routing checks are not part of this gate (accepted for the runbook)")
    parser.add_argument("--dry-run", action="store_true",
                        help="the only mode, required: nothing written")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        url = settings.db_url(args.db_url)
        if not args.dry_run:
            raise ConfigError("the roster gate only runs as --dry-run (it never writes a plan)")
        require_reseal_key(args.artifacts_dir, "wien_roster_gate.sh")
    except ConfigError as exc:
        print(f"wien_roster_gate: error: {exc}", file=sys.stderr)
        return 2
    result = args.artifacts_dir / "roster_gate_result.json"
    verdict, code = run_phase("postmigration and roster", ["checks"], result, db_url=url,
                              extra=["--artifacts-dir", str(args.artifacts_dir)])
    if verdict is None:
        return crash(f"the roster gate did not produce a verdict (pytest exit {code})")
    for check in json.loads(result.read_text())["checks"]:
        if check["status"] != "PASS":
            print(f"  {check['status']} {check['check_id']}: {check['message']}")
    _print_rule_counts(args.artifacts_dir / "roster_dry_run.json")
    status = "PASS" if verdict == "PASS" else "FAIL"
    reseal_after_writing(args.artifacts_dir, [result.name, "roster_dry_run.json"])
    print(f"GATE STATUS: {status}")
    return 0 if status == "PASS" else 1


def _print_rule_counts(dry_run: Path) -> None:
    """Each hard rule's violation count (R0..R14) and the rules the week could not be judged by."""
    try:
        figures = json.loads(dry_run.read_text()).get("figures") or {}
    except (OSError, ValueError):
        return  # no dry run (the gate's own failure already says why)
    counts = figures.get("violations_per_rule") or {}
    if counts:
        ordered = sorted(counts, key=lambda r: int(r[1:]))
        print("  violations per rule: " + ", ".join(f"{r} {counts[r]}" for r in ordered))
    for rule, why in sorted((figures.get("rules_not_judged") or {}).items()):
        print(f"  not judged {rule}: {why}")


if __name__ == "__main__":
    sys.exit(main())

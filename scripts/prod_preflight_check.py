#!/usr/bin/env python3
"""Runbook §1-§3.1: the preflight phase of the gate.

    python scripts/prod_preflight_check.py --db-url URL --env production [--artifacts-dir DIR]

Writes preflight_result.json, prints `VERDICT: PASS|WARN|FAIL`, exits 0/1/2
(3 if the gate itself could not run).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cutover import argtypes, settings
from cutover.errors import ConfigError, CutoverError
from cutover.gate.run import crash, run_phase
from cutover.gate.verdict import EXIT_CODES


def build_parser() -> argtypes.OneLineParser:
    """The command line (tests/release/test_help.py reads every option's help)."""
    parser = argtypes.OneLineParser(prog="prod_preflight_check.py",
                                    description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", help="the target database, as the migrator "
                                         "(default: $SOLVEREIGN_DB_URL; one is required)")
    parser.add_argument("--env", help="development, staging or production "
                                      "(default: $SOLVEREIGN_ENV; one is required)")
    parser.add_argument("--api-url", help="the target's API base URL; without one the API "
                                          "checks are N/A (default: $SOLVEREIGN_API_URL)")
    parser.add_argument("--rc-tag", help="the release candidate PF-011 checks out; without "
                                         "one PF-011 is N/A (default: $SOLVEREIGN_RC_TAG)")
    parser.add_argument("--artifacts-dir", type=argtypes.output_dir, default=Path("artifacts"),
                        help="where preflight_result.json is written (default: %(default)s)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        url = settings.db_url(args.db_url)
        env_name = settings.environment(args.env)
    except ConfigError as exc:
        print(f"prod_preflight_check: error: {exc}", file=sys.stderr)
        return 2
    extra = []
    if args.api_url:
        extra += ["--api-url", args.api_url]
    if args.rc_tag:
        extra += ["--rc-tag", args.rc_tag]
    result = args.artifacts_dir / "preflight_result.json"
    try:
        verdict, code = run_phase("preflight", ["checks"], result, db_url=url,
                                  env_name=env_name, extra=extra)
    except CutoverError as exc:  # e.g. a full disk: one line, exit 3, never a verdict
        return crash(str(exc))
    if verdict is None:
        return crash(f"the preflight gate did not produce a verdict (pytest exit {code})")
    print(f"VERDICT: {verdict}")
    return EXIT_CODES[verdict]


if __name__ == "__main__":
    sys.exit(main())

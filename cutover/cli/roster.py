"""`cutover roster validate --instance FILE --plan FILE`: the roster oracle on the command line.

Prints the report (violations, figures, plan_sha256, instance_sha256) as JSON on stdout and
exits 0 when the plan breaks no hard rule, 1 when it does. Bad input raises ConfigError, which
the `cutover` entry point prints as one line with exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from cutover.errors import EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK
from cutover.roster.model import load_json
from cutover.roster.report import judge_documents
from cutover.roster.rules import tenant_limits


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `roster validate` to the `cutover` parser."""
    roster = subparsers.add_parser("roster", help="roster oracle: validate a plan")
    actions = roster.add_subparsers(dest="roster_action", metavar="ACTION")
    roster.set_defaults(func=lambda _args: _usage(roster))
    validate = actions.add_parser(
        "validate", help="check a plan against the hard rules (exit 0 valid, 1 violations)")
    validate.add_argument("--instance", required=True, help="instance JSON (docs/artifacts.md)")
    validate.add_argument("--plan", required=True, help="plan JSON (docs/artifacts.md)")
    validate.add_argument("--baseline", help="plan before a repair, for churn figures")
    validate.add_argument("--allow-cross-site", action="store_true",
                          help="allow a driver to work a shift at another site")
    validate.add_argument("--average-where-history-allows", action="store_true",
                          help="the tenant's R14 opt-out: judge the 17-week average only where "
                               "the history covers it (default: missing history fails closed)")
    validate.set_defaults(func=run_validate)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_BAD_INPUT


def run_validate(args: argparse.Namespace) -> int:
    """Judge the plan and print the JSON report."""
    limits = replace(tenant_limits(
        average_where_history_allows=bool(args.average_where_history_allows)),
        allow_cross_site=bool(args.allow_cross_site))
    baseline = load_json(args.baseline) if args.baseline else None
    report = judge_documents(load_json(args.instance), load_json(args.plan), baseline, limits,
                             (args.instance, args.plan, args.baseline or "baseline"))
    sys.stdout.write(json.dumps(report, indent=2, sort_keys=True) + "\n")
    if not report["plan_instance_sha256_matches"]:
        # The rules were judged against --instance all the same; say the plan is not its own.
        print(f"warning: {args.plan} was made for instance "
              f"{report['plan_instance_sha256'][:16] or '(none named)'}, not {args.instance} "
              f"({report['instance_sha256'][:16]})", file=sys.stderr)
    return EXIT_OK if report["valid"] else EXIT_FAIL

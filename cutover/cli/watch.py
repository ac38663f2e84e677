"""`cutover watch`: the post-deploy watch with the runbook's rollback triggers (§8–§9.1).

Samples every --interval seconds, shows a live table, appends every sample to a JSON
lines log, and exits 0 healthy / 1 investigate / 2 a rollback trigger fired. With
--once it watches one --window and exits; with --auto-rollback a fired S0/S1 runs the
rollback command and records why. The flow is cutover.watch.command.
"""

from __future__ import annotations

import argparse
import sys

from cutover import argtypes
from cutover.errors import EXIT_CRASH as EXIT_UNKNOWN
from cutover.watch import command
from cutover.watch.leak import API_DB_URL_VAR
from cutover.watch.triggers import Thresholds


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `watch`."""
    p = subparsers.add_parser("watch", help="post-deploy watch with rollback triggers")
    p.add_argument("--api-url", help="API base URL (default: $SOLVEREIGN_API_URL)")
    p.add_argument("--metrics-url", help="Prometheus metrics URL (default: API_URL/metrics)")
    p.add_argument("--db-url", help="database for security events and hardening checks "
                                    "(default: $SOLVEREIGN_DB_URL; none: those are not watched)")
    p.add_argument("--interval", type=argtypes.positive_float, default=15.0,
                   help="seconds between samples (default: %(default)s)")
    p.add_argument("--window", type=argtypes.positive_float, default=300.0,
                   help="seconds a condition must hold before its trigger fires "
                        "(default: %(default)s)")
    p.add_argument("--once", action="store_true", help="watch one window, then exit")
    p.add_argument("--error-rate", type=argtypes.nonnegative_float, default=0.01,
                   help="5xx ratio threshold (default: %(default)s)")
    p.add_argument("--p99", type=argtypes.positive_float, default=2.0,
                   help="p99 latency threshold in seconds (default: %(default)s)")
    p.add_argument("--max-misses", type=argtypes.nonnegative_int, default=3,
                   help="no-data samples in a row before they count as breaching "
                        "(default: %(default)s)")
    p.add_argument("--log", type=argtypes.output_file,
                   help="JSON lines log (default: artifacts/watch_<ts>.jsonl)")
    p.add_argument("--on-trigger", choices=["rollback"], dest="on_trigger",
                   help="rollback: run the rollback when an S0/S1 trigger fires "
                        "(without it the watch only reports)")
    p.add_argument("--auto-rollback", action="store_const", const="rollback",
                   dest="on_trigger", help="the same as --on-trigger rollback")
    p.add_argument("--backup", help="dump to roll back to (default: last-known-good's); "
                   "with --on-trigger rollback it, its manifest and $SOLVEREIGN_ADMIN_DB_URL "
                   "are checked before the first sample")
    p.add_argument("--leak-probe-interval", type=argtypes.positive_float,
                   help="seconds between read-only cross-tenant probes as the api role "
                        f"(${API_DB_URL_VAR}, required with it); a leak is S0 tenant_leak "
                        "(default: no probes)")
    p.set_defaults(func=run, usage_error=_unknown_argument)  # an unknown flag too: 3, not 2
    p.error = _unknown_argument  # type: ignore[method-assign]  # 2 would mean "roll back"


def _unknown_argument(message: str) -> None:
    """argparse exits 2 on a bad flag; for the watch 2 is the rollback verdict (docs/exit-codes.md),
    so a typo exits 3 (UNKNOWN), one line."""
    print(f"cutover watch: error: {message}", file=sys.stderr)
    sys.exit(EXIT_UNKNOWN)


def run(args: argparse.Namespace) -> int:
    """`cutover watch`."""
    return command.run(command.WatchRequest(
        thresholds=Thresholds(error_rate=args.error_rate, sustain_seconds=args.window,
                              p99_seconds=args.p99, max_misses=args.max_misses),
        api_url=args.api_url, metrics_url=args.metrics_url, db_url=args.db_url,
        interval=args.interval, window=args.window, once=args.once, log=args.log,
        on_trigger=args.on_trigger, backup=args.backup,
        leak_probe_interval=args.leak_probe_interval))

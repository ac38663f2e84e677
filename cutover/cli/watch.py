"""`cutover watch`: the post-deploy watch with the runbook's rollback triggers (§8–§9.1).

Samples every --interval seconds, shows a live table, appends every sample to a JSON
lines log, and exits 0 healthy / 1 investigate / 2 a rollback trigger fired. With
--once it watches one --window and exits; with --auto-rollback a fired S0/S1 runs the
rollback command and records why.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from cutover import argtypes, settings
from cutover.configstore import CONNECTION_STRING_VAR, ENDPOINT_VAR, FILE_VAR
from cutover.errors import EXIT_CRASH as EXIT_UNKNOWN
from cutover.errors import ConfigError, CutoverError
from cutover.leakprobe import targets as probe_targets
from cutover.pg.url import validate_url
from cutover.watch.collect import Sources
from cutover.watch.leak import API_DB_URL_VAR, LeakProbe
from cutover.watch.loop import WatchOptions, watch
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


class WatchUnknown(CutoverError):
    """Bad input, no source, the watch's own error: UNKNOWN (3), never 2 = roll back."""

    exit_code = EXIT_UNKNOWN


def _unknown_argument(message: str) -> None:
    """argparse exits 2 on a bad flag; for the watch 2 is the rollback verdict (docs/exit-codes.md),
    so a typo exits 3 (UNKNOWN), one line."""
    print(f"cutover watch: error: {message}", file=sys.stderr)
    sys.exit(EXIT_UNKNOWN)


def _sources(args: argparse.Namespace) -> Sources:
    api = args.api_url or os.environ.get("SOLVEREIGN_API_URL")
    metrics = args.metrics_url or (api.rstrip("/") + "/metrics" if api else None)
    db = args.db_url or os.environ.get("SOLVEREIGN_DB_URL")
    if db:
        db = settings.db_url(db)
    if not (metrics or db):
        raise ConfigError("nothing to watch: give --api-url/--metrics-url and/or --db-url")
    return Sources(api_url=api, metrics_url=metrics, db_url=db, started=datetime.now(UTC),
                   store_env=os.environ if _store_configured(os.environ) else None,
                   leak_probe=_leak_probe(args))


def _leak_probe(args: argparse.Namespace) -> LeakProbe | None:
    """The read-only probe's settings, checked before the first sample (bad input: 3)."""
    if args.leak_probe_interval is None:
        return None
    url = os.environ.get(API_DB_URL_VAR)
    if not url:
        raise ConfigError(f"--leak-probe-interval needs {API_DB_URL_VAR} (the api role's "
                          "own login) to be set")
    settings.db_url(None, name=API_DB_URL_VAR)
    try:
        timeout = probe_targets.statement_timeout(
            os.environ.get("SOLVEREIGN_PROBE_STATEMENT_TIMEOUT"))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return LeakProbe(api_db_url=url, interval=args.leak_probe_interval,
                     statement_timeout=timeout,
                     tenants=probe_targets.tenants(os.environ.get("SOLVEREIGN_PROBE_TENANTS")))


def _require_rollback_inputs(args: argparse.Namespace) -> None:
    """With --on-trigger rollback, what the rollback will need is checked before the first
    sample (bad input: 3): found missing only when a trigger fires, hours later, the
    rollback could not start at the one moment it is needed."""
    if args.on_trigger != "rollback":
        return
    from cutover.approval import lkg
    from cutover.backup import manifest
    from cutover.cli.recovery import ADMIN_URL_VAR  # what `cutover rollback` reads

    if not os.environ.get(ADMIN_URL_VAR):
        raise ConfigError(f"--on-trigger rollback needs {ADMIN_URL_VAR}, which is not set: "
                          "the rollback restores through it")
    validate_url(os.environ[ADMIN_URL_VAR], ADMIN_URL_VAR)
    backup = args.backup
    if not backup:
        record = lkg.read()
        backup = record.backup.get("path") if record else None
    if not backup:
        raise ConfigError("--on-trigger rollback has no backup to roll back to: give --backup "
                          f"FILE or record last-known-good ({lkg.default_path()} has none)")
    manifest.load(Path(backup))  # the manifest the rollback will read


def _store_configured(env: dict | os._Environ) -> bool:
    """The write flag is watched where a config store is named (README.md variables)."""
    return any(env.get(v) for v in (CONNECTION_STRING_VAR, ENDPOINT_VAR, FILE_VAR))


def run(args: argparse.Namespace) -> int:
    """Sample until a rollback trigger fires (or one window passes with --once); bad input
    and missing sources are UNKNOWN (3)."""
    try:
        _require_rollback_inputs(args)
        src = _sources(args)
        return watch(src, WatchOptions(
            thresholds=Thresholds(error_rate=args.error_rate, sustain_seconds=args.window,
                                  p99_seconds=args.p99, max_misses=args.max_misses),
            interval=args.interval, window=args.window, once=args.once,
            log_path=args.log, on_trigger=args.on_trigger, backup=args.backup,
            leak_probe_interval=args.leak_probe_interval))
    except CutoverError as exc:
        if exc.exit_code == EXIT_UNKNOWN or isinstance(exc, WatchUnknown):
            raise
        raise WatchUnknown(str(exc)) from None

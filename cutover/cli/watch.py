"""`cutover watch`: the post-deploy watch with the runbook's rollback triggers (§8–§9.1).

Samples every --interval seconds, shows a live table, appends every sample to a JSON
lines log, and exits 0 healthy / 1 investigate / 2 a rollback trigger fired. With
--once it watches one --window and exits; with --auto-rollback a fired S0/S1 runs the
rollback command and records why.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from cutover import argtypes, settings
from cutover.configstore import CONNECTION_STRING_VAR, ENDPOINT_VAR, FILE_VAR
from cutover.errors import EXIT_CRASH as EXIT_UNKNOWN
from cutover.errors import ConfigError, CutoverError
from cutover.leakprobe import targets as probe_targets
from cutover.rollback import notify
from cutover.watch.collect import Sources, sample
from cutover.watch.leak import API_DB_URL_VAR, LeakProbe
from cutover.watch.triggers import (
    ROLLBACK,
    Finding,
    Sample,
    Thresholds,
    evaluate,
    exit_code,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `watch`."""
    p = subparsers.add_parser("watch", help="post-deploy watch with rollback triggers")
    p.add_argument("--api-url", help="API base URL (default $SOLVEREIGN_API_URL)")
    p.add_argument("--metrics-url", help="Prometheus metrics URL (default API_URL/metrics)")
    p.add_argument("--db-url", help="database for security events and hardening checks")
    p.add_argument("--interval", type=argtypes.positive_float, default=15.0,
                   help="seconds between samples")
    p.add_argument("--window", type=argtypes.positive_float, default=300.0,
                   help="seconds a condition must hold before its trigger fires")
    p.add_argument("--once", action="store_true", help="watch one window, then exit")
    p.add_argument("--error-rate", type=argtypes.nonnegative_float, default=0.01,
                   help="5xx ratio threshold")
    p.add_argument("--p99", type=argtypes.positive_float, default=2.0,
                   help="p99 latency threshold (s)")
    p.add_argument("--max-misses", type=argtypes.nonnegative_int, default=3,
                   help="no-data samples in a row before they count as breaching")
    p.add_argument("--log", type=argtypes.output_file,
                   help="JSON lines log (default artifacts/watch_<ts>.jsonl)")
    p.add_argument("--on-trigger", choices=["rollback"], dest="on_trigger",
                   help="rollback: run the rollback when an S0/S1 trigger fires "
                        "(without it the watch only reports)")
    p.add_argument("--auto-rollback", action="store_const", const="rollback",
                   dest="on_trigger", help="the same as --on-trigger rollback")
    p.add_argument("--backup", help="dump to roll back to (default: last-known-good's)")
    p.add_argument("--leak-probe-interval", type=argtypes.positive_float,
                   help="seconds between read-only cross-tenant probes as the api role "
                        f"({API_DB_URL_VAR}); a leak is S0 tenant_leak")
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


def _store_configured(env: dict | os._Environ) -> bool:
    """The write flag is watched where a config store is named (README.md variables)."""
    return any(env.get(v) for v in (CONNECTION_STRING_VAR, ENDPOINT_VAR, FILE_VAR))


def _hardening(s: Sample) -> str:
    """The hardening column: FAIL, ok, or unknown when the database could not be read."""
    if s.hardening_failures:
        return "FAIL"
    return "ok" if s.database_ok else "unknown"


def _table(samples: list[Sample], findings) -> object:
    from rich.table import Table

    table = Table(title="SOLVEREIGN post-deploy watch")
    for col in ("t+s", "5xx rate", "p99 s", "ready", "replays", "hardening", "note"):
        table.add_column(col)
    t0 = samples[0].at if samples else 0
    for s in samples[-12:]:
        table.add_row(f"{s.at - t0:.0f}",
                      "no data" if s.error_rate is None else f"{s.error_rate:.2%}",
                      "-" if s.p99 is None else f"{s.p99:.3f}", str(s.ready),
                      str(s.replay_events), _hardening(s), s.note)
    for f in findings:
        table.add_row("", "", "", "", "", "", f"[{f.severity}] {f.trigger}: {f.message}")
    return table


def _rollback(args: argparse.Namespace, reason: str, log, *, severity: str = "S0",
              first_bad: str | None = None, since: str | None = None,
              log_path: Path | None = None) -> int:
    """Run `cutover rollback` (the same rollback as by hand) with the trigger as its reason
    and the watch's samples as its evidence; its exit code is returned."""
    backup = args.backup
    if not backup:
        from cutover.approval import lkg

        record = lkg.read()
        backup = record.backup.get("path") if record else None
    if not backup:
        log({"event": "auto_rollback_refused", "reason": "no backup known (--backup or LKG)"})
        print("ROLLBACK NOT STARTED: no backup known (--backup or last-known-good)")
        return 1
    cmd = [sys.executable, "-m", "cutover.cli", "rollback", "--backup", str(backup),
           "--reason", reason, "--severity", severity]
    if first_bad:
        cmd += ["--first-bad-sample", first_bad]
    if since:
        cmd += ["--since", since]
    if log_path:
        cmd += ["--watch-log", str(log_path)]
    log({"event": "auto_rollback", "reason": reason, "command": shlex.join(cmd)})
    proc = subprocess.run(cmd, check=False)
    log({"event": "auto_rollback_done", "exit_code": proc.returncode})
    print(f"rollback started by the watch ended with exit {proc.returncode}")
    return proc.returncode


def window_covered(samples: list[Sample], window: float) -> bool:
    """--once ends when the samples themselves span one full window from the first rate on
    (the first rate needs a second scrape): a condition seen from then on has been judged
    for `window` seconds however long each sample took. A wall-clock deadline fixed at the
    start ended early on a busy machine, with the condition held for less than the window."""
    return len(samples) >= 2 and samples[-1].at - samples[1].at >= window


def run(args: argparse.Namespace) -> int:
    """Sample until a rollback trigger fires (or one window passes with --once); bad input
    and missing sources are UNKNOWN (3)."""
    try:
        return _run(args)
    except CutoverError as exc:
        if exc.exit_code == EXIT_UNKNOWN or isinstance(exc, WatchUnknown):
            raise
        raise WatchUnknown(str(exc)) from None


def _run(args: argparse.Namespace) -> int:
    """The watch loop (see run)."""
    from rich.console import Console
    from rich.live import Live

    src = _sources(args)
    thresholds = Thresholds(error_rate=args.error_rate, sustain_seconds=args.window,
                            p99_seconds=args.p99, max_misses=args.max_misses)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log_path = args.log or Path("artifacts") / f"watch_{stamp}.jsonl"
    log_path.parent.mkdir(parents=True, exist_ok=True)

    def log(record: dict) -> None:
        record = {"ts": datetime.now(UTC).isoformat(), **record}
        with log_path.open("a") as fh:
            fh.write(json.dumps(record, sort_keys=True, default=str) + "\n")

    samples: list[Sample] = []
    first_seen: dict[str, str] = {}  # trigger → wall time of the first sample showing it

    def take() -> list[Finding]:
        """One more sample, evaluated and logged (the first one too)."""
        samples.append(sample(src))
        found = evaluate(samples, thresholds)
        now = datetime.now(UTC).isoformat()
        for f in found:
            first_seen.setdefault(f.trigger, now)
        log({"sample": asdict(samples[-1]), "findings": [asdict(f) for f in found]})
        return found

    findings = take()
    console = Console(stderr=True)
    with Live(_table(samples, findings), console=console, auto_refresh=False) as live:
        while True:
            time.sleep(min(args.interval, args.leak_probe_interval or args.interval))
            findings = take()
            live.update(_table(samples, findings), refresh=True)
            if exit_code(findings) == ROLLBACK or (args.once and window_covered(samples,
                                                                                 args.window)):
                break
    code = exit_code(findings)
    for f in findings:
        print(f"[{f.severity}] {f.trigger}: {f.message}")
    print(f"WATCH: {['HEALTHY', 'INVESTIGATE', 'ROLLBACK'][code]} (log {log_path})")
    if code == ROLLBACK:
        fired = [f for f in findings if f.action == ROLLBACK]
        reason = "; ".join(f"{f.trigger}: {f.message}" for f in fired)
        severity = "S0" if any(f.severity == "S0" for f in fired) else "S1"
        sent = notify.send("trigger_fired", log_path.stem, severity, str(log_path.resolve()),
                           reason[:500])
        log({"event": "notification", **sent})
        if args.on_trigger == "rollback":
            first_bad = min(first_seen.get(f.trigger, "~") for f in fired)
            _rollback(args, reason, log, severity=severity,
                      first_bad=None if first_bad == "~" else first_bad,
                      since=src.started.isoformat(), log_path=log_path)
    return code

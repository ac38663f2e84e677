"""The watch loop (runbook §8–§9.1): sample, judge, show, log, and on a fired trigger
notify and, when asked, run the rollback (`cutover watch`, cutover/cli/watch.py).

Every sample goes to a JSON lines log; the live table shows the last twelve.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from cutover.rollback import notify
from cutover.watch.collect import Sources, sample
from cutover.watch.triggers import (
    ROLLBACK,
    Finding,
    Sample,
    Thresholds,
    evaluate,
    exit_code,
)


@dataclass(frozen=True)
class WatchOptions:
    """How long and how often to watch, and what to do when a trigger fires."""

    thresholds: Thresholds
    interval: float = 15.0
    window: float = 300.0
    once: bool = False
    log_path: Path | None = None  # default: artifacts/watch_<ts>.jsonl
    on_trigger: str | None = None  # "rollback": run the rollback on an S0/S1 trigger
    backup: str | None = None  # the dump to roll back to (default: last-known-good's)
    leak_probe_interval: float | None = None


def _hardening(s: Sample) -> str:
    """The hardening column: FAIL, ok, or unknown when the database could not be read."""
    if s.hardening_failures:
        return "FAIL"
    return "ok" if s.database_ok else "unknown"


def _ready(s: Sample) -> str:
    """The readiness column in words: the table is read by a person at 02:00."""
    return {True: "ready", False: "NOT READY", None: "no answer"}[s.ready]


def _table(samples: list[Sample], findings) -> object:
    from rich.table import Table

    table = Table(title="SOLVEREIGN post-deploy watch")
    for col in ("t+s", "5xx rate", "p99 s", "ready", "replays", "hardening", "note"):
        table.add_column(col)
    t0 = samples[0].at if samples else 0
    for s in samples[-12:]:
        table.add_row(f"{s.at - t0:.0f}",
                      "no data" if s.error_rate is None else f"{s.error_rate:.2%}",
                      "-" if s.p99 is None else f"{s.p99:.3f}", _ready(s),
                      str(s.replay_events), _hardening(s), s.note)
    for f in findings:
        table.add_row("", "", "", "", "", "", f"[{f.severity}] {f.trigger}: {f.message}")
    return table


def auto_rollback(backup: str | None, reason: str, log, *, severity: str = "S0",
              first_bad: str | None = None, since: str | None = None,
              log_path: Path | None = None) -> int:
    """Run `cutover rollback` (the same rollback as by hand) with the trigger as its reason
    and the watch's samples as its evidence; its exit code is returned."""
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


def watch(src: Sources, opts: WatchOptions) -> int:
    """Sample until a rollback trigger fires (or one window passes with `once`); the exit
    code is the verdict: 0 healthy, 1 investigate, 2 a rollback trigger fired."""
    from rich.console import Console
    from rich.live import Live

    thresholds = opts.thresholds
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log_path = opts.log_path or Path("artifacts") / f"watch_{stamp}.jsonl"
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
            time.sleep(min(opts.interval, opts.leak_probe_interval or opts.interval))
            findings = take()
            live.update(_table(samples, findings), refresh=True)
            if exit_code(findings) == ROLLBACK or (opts.once and window_covered(samples,
                                                                                 opts.window)):
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
        if opts.on_trigger == "rollback":
            first_bad = min(first_seen.get(f.trigger, "~") for f in fired)
            auto_rollback(opts.backup, reason, log, severity=severity,
                      first_bad=None if first_bad == "~" else first_bad,
                      since=src.started.isoformat(), log_path=log_path)
    return code

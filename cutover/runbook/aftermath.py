"""The rehearsal's aftermath drill (issue 22.4): after enable, an attack, and the watch acts.

A REPLAY_ATTACK row is injected into the live sandbox; `cutover watch --on-trigger rollback`
(a real subprocess, as on-call would run it) must fire S0, roll back to the cutover's backup
and leave a sealed incident record; a loopback webhook must receive `trigger_fired` and
`rollback_done`; the restored database is compared with the backup's manifest (ledger head,
every table's rows and checksums) independently of the rollback's own checks. The timings
from the event to writes disabled, to restored and to writes enabled again go into the
bundle's summary.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg

from cutover.backup import manifest as backup_manifest
from cutover.evidence import bundle as evidence
from cutover.evidence import keys
from cutover.rollback import incident
from cutover.runbook.steps import StepFailed

INDEPENDENT = ("ledger head", "ownership and ACLs", "sequences")
EVENT_BOUND = 900.0  # seconds the drill waits for the watch's events before it fails
INJECT_SQL = ("SELECT core.log_security_event('REPLAY_ATTACK', 'HIGH', 'wien_pilot', "
              "'{\"route\": \"/api/v1/roster/plans\", \"drill\": \"aftermath\"}')")
EVENT_AT_SQL = "SELECT created_at::text FROM core.security_events WHERE id = %s"


class _Sink:
    """A loopback JSON webhook that keeps what it is sent."""

    def __init__(self) -> None:
        self.payloads: list[dict] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    sink.payloads.append(json.loads(body))
                except ValueError:
                    sink.payloads.append({"unparsable": True})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                """Quiet: the drill reports what arrived."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/aftermath"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _wait_for_a_sample(proc: subprocess.Popen, log: Path) -> None:
    """The watch is looking once it has logged a sample (the event, not a guess)."""
    deadline = time.monotonic() + EVENT_BOUND
    while time.monotonic() < deadline and proc.poll() is None:
        if log.exists() and '"sample"' in log.read_text():
            return
        time.sleep(0.1)
    raise StepFailed(f"aftermath drill: the watch logged no sample (exit {proc.poll()})")


def _seconds(start: str, end: str | None) -> float | None:
    if not end:
        return None
    return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds(), 3)


def run_drill(bundle: Path, env: dict[str, str], backup: Path) -> dict:
    """Inject, let the watch roll back, check everything; the drill's record (verdict and
    every problem found). StepFailed only when the drill could not run at all."""
    from cutover.rollback.verify import verify_database

    # beside the bundle, never named prod_cutover_* (the newest bundle is found by that name)
    stamp = bundle.name.removeprefix("prod_cutover_")
    folder = bundle.parent / f"incident_aftermath_{stamp}"
    log = bundle.parent / f"watch_aftermath_{stamp}.jsonl"
    sink = _Sink()
    drill_env = {**env, "SOLVEREIGN_ARTIFACTS_DIR": str(folder),
                 "SOLVEREIGN_NOTIFY_WEBHOOK_URL": sink.url}
    admin = env["SOLVEREIGN_ADMIN_DB_URL"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "cutover.cli", "watch", "--db-url", admin, "--interval", "0.5",
         "--max-misses", "1000000", "--on-trigger", "rollback", "--backup", str(backup),
         "--log", str(log)], env=drill_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        _wait_for_a_sample(proc, log)
        with psycopg.connect(admin, autocommit=True) as conn:
            event_id = conn.execute(INJECT_SQL).fetchone()[0]  # type: ignore[index]
            event_at = conn.execute(EVENT_AT_SQL, (event_id,)).fetchone()[0]  # type: ignore[index]
        out, _ = proc.communicate(timeout=EVENT_BOUND)
    except (subprocess.TimeoutExpired, psycopg.Error) as exc:
        raise StepFailed(f"aftermath drill: {str(exc).splitlines()[0]}") from None
    finally:
        if proc.poll() is None:  # never leave a watch that may roll back behind the drill
            proc.kill()
            proc.communicate()
        sink.close()
    for line in out.splitlines()[-6:]:
        print(f"    {line}")
    return _judge(folder, env, backup, proc.returncode, event_at, sink.payloads,
                  verify_database)


def _judge(folder: Path, env: dict[str, str], backup: Path, code: int, event_at: str,
           payloads: list[dict], verify_database) -> dict:
    """Every check of the drill and its timings (verdict FAIL naming each problem)."""
    problems: list[str] = []
    doc = {}
    if code != 2:
        problems.append(f"watch exit {code}, not 2 (a rollback trigger fired)")
    try:
        doc = json.loads((folder / incident.RECORD_JSON).read_text())
    except (OSError, ValueError):
        problems.append(f"no incident record in {folder}")
    if doc and not (doc.get("outcome") == "rolled back"
                    and str(doc.get("trigger", "")).startswith("replay_attack")
                    and doc.get("severity") == "S0"):
        problems.append(f"incident record: {doc.get('outcome')}, {doc.get('trigger')!r}")
    key = keys.verifying_key(env=env, required=False)
    sealed = key is not None and (folder / evidence.SUMMARY).exists() and \
        evidence.verify(folder, key).ok
    if not sealed:
        problems.append("the incident directory does not verify")
    # Rows and checksums were proven by the rollback while writes were still disabled (its
    # journal); once writes are on again the API legitimately adds rows (request nonces of
    # the post-rollback gate's probes), so the drill re-checks independently only what
    # writes cannot move: the ledger head, ownership and ACLs, sequences not behind.
    manifest = backup_manifest.load(backup)
    checks = [c for c in verify_database(
        env.get("SOLVEREIGN_BACKUP_DB_URL") or env["SOLVEREIGN_ADMIN_DB_URL"], manifest,
        content=False, name="SOLVEREIGN_BACKUP_DB_URL") if c.name in INDEPENDENT]
    proven = [{"name": f"rollback: {s['step']}", "ok": s.get("ok") is True,
               "detail": s.get("detail", "")} for s in doc.get("steps", [])
              if s.get("step") in ("verify restored database", "verify live database")]
    if len(proven) != 2:
        problems.append("the rollback's journal does not show both verifications")
    problems += [f"restored database: {c.name}: {c.detail}" for c in checks if not c.ok]
    problems += [f"{p['name']}: {p['detail']}" for p in proven if not p["ok"]]
    events = [p.get("event") for p in payloads]
    if events != ["trigger_fired", "rollback_done"] or any(
            p.get("evidence") != str(folder.resolve()) for p in payloads[1:]):
        problems.append(f"notifications received: {events}")
    at = {t["event"]: t.get("at") for t in doc.get("timeline", [])}
    timings = {"event_to_writes_disabled_s": _seconds(event_at, at.get("writes_disabled")),
               "event_to_restored_s": _seconds(event_at, at.get("restore_done")),
               "event_to_writes_enabled_s": _seconds(event_at, at.get("writes_enabled"))}
    record = {"event_at": event_at, "incident": str(folder), "backup": str(backup),
              "watch_exit": code,
              "incident_sealed": sealed, "notifications": events, "timings": timings,
              "restored": [*proven, *({"name": c.name, "ok": c.ok, "detail": c.detail}
                                      for c in checks)],
              "verdict": "FAIL" if problems else "PASS", "problems": problems}
    print(f"    aftermath: {record['verdict']}; " + ", ".join(
        f"{k} {v}" for k, v in timings.items()))
    return record

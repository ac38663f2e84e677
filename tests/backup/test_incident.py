"""After a trigger (issue 22): the watch rolls back by itself with --on-trigger rollback,
every rollback leaves a sealed incident record, and people are told through the webhook.

Real parts throughout: the platform database, the rollback, a loopback HTTP receiver."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest

from tests.backup.conftest import REPO, assert_no_secrets, cli, writes_disabled
from tests.backup.test_rollback import assert_back_to_backup, cut_over, take_backup

EVENT_BOUND = 600  # seconds: a hang guard only, never a speed assertion
REQUIRED = {"event": str, "run_id": str, "severity": str, "evidence": str}


class Receiver:
    """A webhook receiver on 127.0.0.1 that checks each payload's shape as it arrives."""

    def __init__(self, status: int = 200) -> None:
        self.payloads: list[dict] = []
        self.problems: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
                    receiver.problems.append(f"content type {self.headers.get('Content-Type')}")
                try:
                    doc = json.loads(body)
                except ValueError:
                    receiver.problems.append("not JSON")
                    doc = {}
                for key, kind in REQUIRED.items():
                    if not isinstance(doc.get(key), kind) or not doc.get(key):
                        receiver.problems.append(f"{key} missing or not a {kind.__name__}")
                receiver.payloads.append(doc)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/secret-token-path"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[str]:
        return [p.get("event") for p in self.payloads]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _wait_for_a_sample(proc: subprocess.Popen, log: Path) -> None:
    """Block until the watch has logged its first sample (the event), or ended."""
    deadline = time.monotonic() + EVENT_BOUND
    while time.monotonic() < deadline and proc.poll() is None:
        if log.exists() and any('"sample"' in x for x in log.read_text().splitlines()):
            return
        time.sleep(0.1)
    raise AssertionError(f"the watch logged no sample (rc {proc.poll()})")


def _watch_and_replay(db, log: Path, *extra: str, **env: str) -> subprocess.CompletedProcess:
    """Start the watch, inject a REPLAY_ATTACK once it samples, wait for it to end."""
    full = db.env(SOLVEREIGN_LKG_FILE=str(db.workdir / "lkg.json"), **env)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cutover.cli", "watch", "--db-url", db.url("postgres"),
         "--interval", "0.3", "--max-misses", "100000", "--log", str(log), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=full)
    try:
        _wait_for_a_sample(proc, log)
        with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
            conn.execute("SELECT core.log_security_event('REPLAY_ATTACK', 'HIGH', "
                         "'wien_pilot', '{\"route\": \"/api/v1/roster/plans\"}')")
        out, err = proc.communicate(timeout=EVENT_BOUND)
    except BaseException:
        proc.kill()
        proc.communicate()
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_watch_on_trigger_rollback_rolls_back_records_and_notifies(pre_db, receiver, tmp_path):
    dump = take_backup(pre_db)
    cut_over(pre_db)
    artifacts = tmp_path / "incident"
    log = tmp_path / "watch.jsonl"
    proc = _watch_and_replay(pre_db, log, "--on-trigger", "rollback", "--backup", str(dump),
                             SOLVEREIGN_ARTIFACTS_DIR=str(artifacts),
                             SOLVEREIGN_NOTIFY_WEBHOOK_URL=receiver.url)
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-3000:]
    events = {r.get("event"): r for r in map(json.loads, log.read_text().splitlines())}
    assert "replay_attack" in events["auto_rollback"]["reason"]
    assert events["auto_rollback_done"]["exit_code"] == 0, proc.stdout[-3000:]
    assert not writes_disabled(pre_db)
    assert_back_to_backup(pre_db, dump)

    doc = json.loads((artifacts / "incident_record.json").read_text())
    assert doc["trigger"].startswith("replay_attack: 1 REPLAY_ATTACK event(s)")
    assert doc["severity"] == "S0" and doc["outcome"] == "rolled back"
    timeline = [t["event"] for t in doc["timeline"]]
    assert timeline == ["first_bad_sample", "decision", "writes_disabled", "restore_done",
                        "gate_result", "writes_enabled"]
    assert [t["at"] for t in doc["timeline"]] == sorted(t["at"] for t in doc["timeline"])
    assert doc["timeline"][4]["result"] == "PASS"
    assert doc["rollback_target"]["backup_manifest"]["sha256"]
    assert doc["database_state"].startswith("restored from the backup and live")
    rows = json.loads((artifacts / "security_events.json").read_text())
    assert any(r["event_type"] == "REPLAY_ATTACK" for r in rows)
    assert (artifacts / "watch_samples.jsonl").read_text() == log.read_text() or \
        (artifacts / "watch_samples.jsonl").stat().st_size > 0
    assert "# Incident record" in (artifacts / "incident_record.md").read_text()
    verify = cli(pre_db, "evidence", "verify", str(artifacts))
    assert verify.returncode == 0, verify.stdout + verify.stderr

    assert receiver.problems == []
    assert receiver.events() == ["trigger_fired", "rollback_done"]
    done = receiver.payloads[1]
    assert done["severity"] == "S0" and done["evidence"] == str(artifacts.resolve())
    assert doc["notifications"][0]["sent"] is True
    assert "secret-token-path" not in json.dumps(doc) + proc.stdout + proc.stderr
    assert_no_secrets(pre_db, proc.stdout, proc.stderr, json.dumps(receiver.payloads),
                      folders=(artifacts,))


def test_without_on_trigger_the_watch_only_reports(make_platform, receiver, tmp_path):
    db = make_platform("latest")
    log = tmp_path / "watch.jsonl"
    proc = _watch_and_replay(db, log, "--backup", str(tmp_path / "none.dump"),
                             SOLVEREIGN_NOTIFY_WEBHOOK_URL=receiver.url)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "[S0] replay_attack" in proc.stdout
    records = [json.loads(x) for x in log.read_text().splitlines()]
    assert not [r for r in records if str(r.get("event", "")).startswith("auto_rollback")]
    assert receiver.events() == ["trigger_fired"] and receiver.problems == []


def test_a_rollback_failing_part_way_says_where_in_its_record(pre_db, tmp_path):
    """Redeploy fails after the swap: writes stay disabled, the record names the step and
    the database's state; an unreachable webhook is recorded and fails nothing."""
    dump = take_backup(pre_db)
    cut_over(pre_db)
    artifacts = tmp_path / "failed"
    proc = cli(pre_db, "rollback", "--backup", str(dump), "--artifacts-dir", str(artifacts),
               SOLVEREIGN_REDEPLOY_COMMAND=f"{sys.executable} -c 'raise SystemExit(4)'",
               SOLVEREIGN_NOTIFY_WEBHOOK_URL="http://127.0.0.1:9/hook")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert writes_disabled(pre_db)
    doc = json.loads((artifacts / "incident_record.json").read_text())
    assert doc["trigger"] == "manual rollback" and doc["severity"] == "manual"
    assert doc["outcome"] == "failed" and doc["failed_step"] == "redeploy"
    assert doc["database_state"] == ("restored from the backup and live, but not released "
                                     "(writes remain DISABLED)")
    assert [t["event"] for t in doc["timeline"]] == ["decision", "writes_disabled",
                                                     "restore_done"]
    assert doc["notifications"] == [{"event": "rollback_failed", "target": "http://127.0.0.1:9",
                                     "sent": False, "error": "ConnectError"}]
    assert "notification rollback_failed to http://127.0.0.1:9 failed" in proc.stderr
    assert "failed step: redeploy" in (artifacts / "incident_record.md").read_text()
    verify = cli(pre_db, "evidence", "verify", str(artifacts))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    report = cli(pre_db, "evidence", "report", str(artifacts))
    assert report.returncode == 0 and (artifacts / "report.html").is_file(), report.stderr

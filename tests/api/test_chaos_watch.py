"""Rehearsing the post-deploy triggers end to end: injected faults in the sandbox API,
observed by `cutover watch` through the API's real metrics and the database."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from cutover.api.probe import signed_headers
from cutover.errors import ConfigError
from sandbox.api.chaos import Chaos
from tests.api.conftest import probe_env

REPO = Path(__file__).resolve().parents[2]


class Traffic:
    """Pack reads from a few threads until stopped (bounded: at most `limit` requests)."""

    def __init__(self, url: str, key: str, threads: int = 4, limit: int = 4000) -> None:
        self.url, self.key, self.limit = url, key, limit
        self.stop = threading.Event()
        self.sent = 0
        self.workers = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self.stop.is_set() and self.sent < self.limit:
                self.sent += 1
                with contextlib.suppress(httpx.HTTPError):
                    client.get(self.url + "/api/v1/roster/status",
                               headers={"X-API-Key": self.key})

    def __enter__(self) -> Traffic:
        for w in self.workers:
            w.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for w in self.workers:
            w.join(15)


def _watch(api_url: str, tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess,
                                                                 list[dict]]:
    log = tmp_path / "watch.jsonl"
    proc = subprocess.run([sys.executable, "-m", "cutover.cli", "watch", "--api-url", api_url,
                           "--once", "--interval", "0.5", "--log", str(log), *extra],
                          capture_output=True, text=True, timeout=120, check=False, cwd=REPO)
    return proc, [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []


def _once_watching(tmp_path: Path, action) -> threading.Thread:
    """A thread that runs `action` once the watch has logged its first sample: the watch
    counts REPLAY_ATTACK events from its own start, and a slow start must not miss one."""
    log = tmp_path / "watch.jsonl"

    def run() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (log.exists() and log.read_text().strip()):
            time.sleep(0.05)
        action()

    return threading.Thread(target=run, daemon=True)


def test_injected_error_rate_fires_s1(make_platform, start_api, tmp_path):
    db = make_platform("latest")
    api = start_api(db, SOLVEREIGN_SANDBOX_ERROR_RATE="0.25")
    with Traffic(api.url, probe_env(db)["SOLVEREIGN_PROBE_API_KEY_A"]):
        proc, records = _watch(api.url, tmp_path, "--window", "2")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "[S1] error_rate" in proc.stdout
    rates = [r["sample"]["error_rate"] for r in records if r.get("sample", {}).get("error_rate")]
    assert rates and all(0.15 < r < 0.35 for r in rates), rates


def test_injected_latency_is_investigated(make_platform, start_api, tmp_path):
    db = make_platform("latest")
    api = start_api(db, SOLVEREIGN_SANDBOX_ADDED_LATENCY_MS="2200")
    with Traffic(api.url, probe_env(db)["SOLVEREIGN_PROBE_API_KEY_A"], threads=6, limit=60):
        proc, _ = _watch(api.url, tmp_path, "--window", "5", "--interval", "2.5")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "[investigate] latency: p99" in proc.stdout


def test_replayed_request_fires_s0(make_platform, start_api, tmp_path):
    db = make_platform("latest")
    api = start_api(db)
    key = probe_env(db)["SOLVEREIGN_PROBE_API_KEY_A"]
    body = b"{}"
    headers = {"X-API-Key": key, "Content-Type": "application/json",
               **signed_headers(key, "POST", "/api/v1/roster/absences", body)}
    answers: list[int] = []

    def replay_once_the_watch_runs() -> None:
        for _ in range(2):
            answers.append(httpx.post(api.url + "/api/v1/roster/absences", content=body,
                                      headers=headers).status_code)

    timer = _once_watching(tmp_path, replay_once_the_watch_runs)
    with Traffic(api.url, key, threads=1, limit=400):
        timer.start()
        proc, _ = _watch(api.url, tmp_path, "--window", "4", "--db-url", db.url())
    timer.join()
    assert answers[0] != 409 and answers[1] == 409
    assert proc.returncode == 2 and "[S0] replay_attack" in proc.stdout, proc.stdout


def test_injected_replay_fires_s0(make_platform, start_api, tmp_path):
    """The client sends each signed request once; the API's replay injection delivers a copy,
    the nonce check refuses it, REPLAY_ATTACK is logged and the watch fires S0."""
    db = make_platform("latest")
    api = start_api(db, SOLVEREIGN_SANDBOX_REPLAY_EVERY="1")
    key = probe_env(db)["SOLVEREIGN_PROBE_API_KEY_A"]
    body = b"{}"
    sent = signed_headers(key, "POST", "/api/v1/roster/absences", body)
    answers: list[int] = []

    def send_once_while_the_watch_runs() -> None:
        answers.append(httpx.post(
            api.url + "/api/v1/roster/absences", content=body, timeout=10,
            headers={"X-API-Key": key, "Content-Type": "application/json", **sent}).status_code)

    timer = _once_watching(tmp_path, send_once_while_the_watch_runs)
    with Traffic(api.url, key, threads=1, limit=4000):
        timer.start()
        proc, _ = _watch(api.url, tmp_path, "--window", "4", "--db-url", db.url())
    timer.join()
    assert answers and answers[0] != 409  # the client saw its own, first answer
    assert proc.returncode == 2 and "[S0] replay_attack" in proc.stdout, proc.stdout
    with psycopg.connect(db.url("postgres")) as conn:
        details = [r[0] for r in conn.execute(
            "SELECT details::text FROM core.security_events WHERE event_type = 'REPLAY_ATTACK'")]
    assert any(sent["X-Nonce"] in d for d in details), details


def test_fault_injection_is_refused_in_production():
    with pytest.raises(ConfigError, match="refused when SOLVEREIGN_ENV=production"):
        Chaos.from_env({"SOLVEREIGN_SANDBOX_ERROR_RATE": "0.1"}, production=True)
    with pytest.raises(ConfigError, match="refused when SOLVEREIGN_ENV=production"):
        Chaos.from_env({"SOLVEREIGN_SANDBOX_REPLAY_EVERY": "1"}, production=True)
    with pytest.raises(ConfigError, match="REPLAY_EVERY must be a whole number"):
        Chaos.from_env({"SOLVEREIGN_SANDBOX_REPLAY_EVERY": "1.5"}, production=False)
    with pytest.raises(ConfigError, match="between 0 and 1"):
        Chaos.from_env({"SOLVEREIGN_SANDBOX_ERROR_RATE": "2"}, production=False)

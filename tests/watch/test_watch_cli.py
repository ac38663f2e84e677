"""`cutover watch --once` against real HTTP servers on loopback: healthy, failing, dead."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Metrics:
    """A counter set the fake API advances on every scrape."""

    def __init__(self, error_every: int = 0, scrape_seconds: float = 0.0) -> None:
        self.ok = self.err = 0
        self.error_every = error_every
        self.scrape_seconds = scrape_seconds  # a busy machine: every sample takes this long
        self.lock = threading.Lock()

    def render(self) -> str:
        if self.scrape_seconds:
            import time

            time.sleep(self.scrape_seconds)
        with self.lock:
            self.ok += 100
            self.err += self.error_every
            total = self.ok + self.err
        return ("# TYPE http_requests_total counter\n"
                f'http_requests_total{{status="200"}} {self.ok}\n'
                f'http_requests_total{{status="500"}} {self.err}\n'
                "# TYPE http_request_duration_seconds histogram\n"
                f'http_request_duration_seconds_bucket{{le="0.05"}} {total}\n'
                f'http_request_duration_seconds_bucket{{le="+Inf"}} {total}\n'
                f"http_request_duration_seconds_count {total}\n"
                "http_request_duration_seconds_sum 1\n")


def _serve(metrics: _Metrics) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/metrics":
                body, ctype = metrics.render().encode(), "text/plain"
            elif self.path == "/health/ready":
                body, ctype = b'{"ready": true}', "application/json"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            """Quiet: the tests read results, not access logs."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _watch(url: str, tmp_path, *extra: str) -> tuple[subprocess.CompletedProcess, list[dict]]:
    log = tmp_path / "watch.jsonl"
    proc = subprocess.run([sys.executable, "-m", "cutover.cli", "watch", "--api-url", url,
                           "--once", "--interval", "0.2", "--log", str(log), *extra],
                          capture_output=True, text=True, timeout=60, check=False,
                          env={"PATH": "/usr/bin:/bin"})
    records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return proc, records


@pytest.fixture
def api():
    servers = []

    def start(error_every: int = 0, scrape_seconds: float = 0.0) -> str:
        server = _serve(_Metrics(error_every, scrape_seconds))
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for s in servers:
        s.shutdown()


def test_healthy_api_exits_0(api, tmp_path):
    proc, records = _watch(api(), tmp_path, "--window", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WATCH: HEALTHY" in proc.stdout and records


def test_sustained_errors_fire_s1(api, tmp_path):
    proc, records = _watch(api(error_every=5), tmp_path, "--window", "1")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "[S1] error_rate" in proc.stdout
    assert any(f["trigger"] == "error_rate" for r in records for f in r.get("findings", []))


def test_slow_samples_still_judge_a_full_window(api, tmp_path):
    """Under load every sample takes long: --once must still watch until the samples span a
    whole window, so a sustained condition fires (it ended on a wall-clock deadline fixed
    at the start and exited 1 with "5xx rate 49.70% for 1s (fires at 1s)")."""
    # a sample (0.65 s) longer than the interval (0.05 s): the old deadline (start + window
    # + 2 intervals) ended after two rated samples, 0.7 s of a 1 s window
    proc, _records = _watch(api(error_every=100, scrape_seconds=0.65), tmp_path,
                            "--window", "1", "--interval", "0.05")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "[S1] error_rate" in proc.stdout


def test_dead_metrics_endpoint_is_not_healthy(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc, _ = _watch(f"http://127.0.0.1:{port}", tmp_path, "--window", "1")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "WATCH: INVESTIGATE" in proc.stdout and "ready" in proc.stdout


def test_the_first_sample_is_logged_too(api, tmp_path):
    proc, records = _watch(api(), tmp_path, "--window", "0.5")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    samples = [r["sample"] for r in records if "sample" in r]
    assert "first scrape" in samples[0]["note"] and samples[0]["error_rate"] is None
    assert all(s["error_rate"] is not None for s in samples[1:]) and len(samples) >= 3


def test_unreadable_database_is_not_healthy_and_not_echoed(api, tmp_path):
    secret = "Xq7pw0rdZ"
    proc, records = _watch(api(), tmp_path, "--window", "1",
                           "--db-url", f"postgresql://u:{secret}@127.0.0.1:9/x")
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "database" in proc.stdout and "WATCH: HEALTHY" not in proc.stdout
    samples = [r["sample"] for r in records if "sample" in r]
    assert samples and all(s["database_ok"] is False for s in samples)
    log = (tmp_path / "watch.jsonl").read_text()
    assert all(secret not in text for text in (proc.stdout, proc.stderr, log))


def test_nothing_to_watch_is_bad_input(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cutover.cli", "watch", "--once"],
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"},
                          check=False)
    assert proc.returncode == 3 and "nothing to watch" in proc.stderr


def test_a_typo_in_a_flag_is_unknown_never_roll_back():
    """argparse's own exit for an unknown flag is 2, which for the watch means roll back."""
    proc = subprocess.run([sys.executable, "-m", "cutover.cli", "watch", "--once",
                           "--intervall", "5"], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin"}, check=False)
    assert proc.returncode == 3, proc.stderr
    assert "--intervall" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def _watch_rollback(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cutover.cli", "watch", "--once",
                           "--api-url", "http://127.0.0.1:9", "--log",
                           str(tmp_path / "watch.jsonl"), "--on-trigger", "rollback", *args],
                          capture_output=True, text=True, check=False,
                          env={"PATH": "/usr/bin:/bin",
                               "SOLVEREIGN_LKG_FILE": str(tmp_path / "lkg.json"), **env})


def _refused_before_sampling(tmp_path, proc: subprocess.CompletedProcess, *naming: str) -> None:
    """Exit 3 (the watch's bad input, never 2 = roll back), one line, nothing sampled."""
    assert proc.returncode == 3, proc.stderr
    line = proc.stderr.strip()
    assert len(line.splitlines()) == 1 and all(n in line for n in naming), line
    assert not (tmp_path / "watch.jsonl").exists()


def test_on_trigger_rollback_without_the_admin_url_refuses_before_the_first_sample(tmp_path):
    """Found missing only when a trigger fires, hours later, the rollback could not start."""
    proc = _watch_rollback(tmp_path, "--backup", str(tmp_path / "x.dump"))
    _refused_before_sampling(tmp_path, proc, "--on-trigger rollback needs "
                             "SOLVEREIGN_ADMIN_DB_URL, which is not set")


def test_on_trigger_rollback_without_a_backup_refuses_before_the_first_sample(tmp_path):
    proc = _watch_rollback(tmp_path, SOLVEREIGN_ADMIN_DB_URL="postgresql://a@127.0.0.1:9/db")
    _refused_before_sampling(tmp_path, proc, "has no backup to roll back to", "--backup",
                             "last-known-good", str(tmp_path / "lkg.json"))


def test_on_trigger_rollback_with_an_unreadable_backup_refuses_before_the_first_sample(
        tmp_path):
    proc = _watch_rollback(tmp_path, "--backup", str(tmp_path / "x.dump"),
                           SOLVEREIGN_ADMIN_DB_URL="postgresql://a@127.0.0.1:9/db")
    _refused_before_sampling(tmp_path, proc, "backup manifest not found",
                             str(tmp_path / "x.manifest.json"))

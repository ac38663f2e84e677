"""The sandbox's clients (issue 21.6): `cutover sandbox up --with-api --traffic` gives the API
a steady mix of authenticated reads, so the README's `cutover watch --once` on the sandbox
judges real traffic and ends HEALTHY; the clients never write; `sandbox down` stops them."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from cutover.watch.metrics import MONITORING_ROUTES
from sandbox import traffic_process

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _cli(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cutover.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("SOLVEREIGN_", "PG", "DATABASE_URL"))}


@pytest.fixture(scope="module")
def sandbox():
    """`cutover sandbox up --at latest --with-api --traffic`, as the README runs it (it
    returns once the clients had their first answer); its exports over a clean env."""
    # not under pytest's tmp root (0700): the server may run as pgserver's own user
    root = Path(tempfile.mkdtemp(prefix="solvereign-traffic-")) / "sandbox"
    base = _clean_env()
    up = _cli("sandbox", "up", "--at", "latest", "--with-api", "--traffic", "--traffic-rate",
              "10", "--data-dir", str(root), env=base)
    assert up.returncode == 0, up.stderr[-3000:]
    exports = {}
    for line in up.stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        exports[name] = shlex.split(value)[0] if value else ""
    env = {**base, **exports}
    yield root, env
    _cli("sandbox", "down", "--data-dir", str(root), env=env, timeout=120)


def test_the_watch_on_the_sandbox_with_traffic_is_healthy(sandbox, tmp_path):
    root, env = sandbox
    assert traffic_process.running_pid(root) is not None
    log = tmp_path / "watch.jsonl"
    proc = _cli("watch", "--once", "--window", "4", "--interval", "2", "--log", str(log),
                env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "WATCH: HEALTHY" in proc.stdout


def test_the_clients_only_read(sandbox):
    _, env = sandbox
    text = httpx.get(env["SOLVEREIGN_API_URL"] + "/metrics", timeout=10).text
    served = [(s.labels["route"], s.labels["method"], s.value)
              for family in text_string_to_metric_families(text) for s in family.samples
              if s.name == "http_requests_total" and s.labels.get("route")
              not in MONITORING_ROUTES]
    assert sum(v for _, _, v in served) > 0
    assert {m for _, m, _ in served} == {"GET"}, served
    assert {r for r, _, _ in served} >= {"/api/v1/roster/status", "/api/v1/routing/status"}


def test_traffic_without_the_api_is_refused_before_anything_starts(tmp_path):
    root = tmp_path / "never"
    proc = _cli("sandbox", "up", "--traffic", "--data-dir", str(root), env=_clean_env())
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "cutover: error: --traffic needs --with-api (the clients read from the API)"]
    assert not (root / "pg").exists()


def test_sandbox_down_stops_the_clients(sandbox):
    root, env = sandbox
    pid = traffic_process.running_pid(root)
    assert pid is not None
    down = _cli("sandbox", "down", "--data-dir", str(root), "--keep", env=env, timeout=120)
    assert down.returncode == 0, down.stderr
    assert traffic_process.running_pid(root) is None
    assert not Path(f"/proc/{pid}").exists() or \
        Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")

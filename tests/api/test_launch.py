"""Starting, reusing, restarting, stopping the API; `cutover sandbox up --with-api` end to end."""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from cutover.errors import ConfigError
from sandbox import api_server
from sandbox.manage import SandboxState
from tests.platform import REPO


def state_for(db) -> SandboxState:
    """A sandbox state over a test database (its workdir is the sandbox root)."""
    return SandboxState(root=str(db.workdir), admin_url=db.admin_url, dbname=db.dbname,
                        at="latest", passwords=db.passwords, session_secret=db.session_secret,
                        hmac_secret=db.hmac_secret)


@pytest.fixture
def state(make_platform):
    st = state_for(make_platform("latest"))
    yield st
    if st.api_pid:
        api_server.stop(st.api_pid)


def test_launch_reuse_restart_stop(state):
    state.api_url, state.api_pid = api_server.launch(state)
    assert httpx.get(state.api_url + "/health").json()["status"] == "healthy"
    assert api_server.is_api_process(state.api_pid)
    assert api_server.launch(state) == (state.api_url, state.api_pid)  # healthy one kept
    old_url, old_pid = state.api_url, state.api_pid
    url, pid = api_server.restart_api(state)
    assert url == old_url and pid != old_pid  # same port: SOLVEREIGN_API_URL stays valid
    assert not api_server.is_api_process(old_pid)
    assert httpx.get(url + "/health/ready").json()["ready"] is True
    saved = SandboxState.load(state.root)
    assert (saved.api_url, saved.api_pid) == (url, pid)
    assert api_server.stop(pid) and not api_server.is_api_process(pid)
    assert api_server.stop(pid) is False


def test_restart_command_for_the_redeploy_hook(state):
    state.api_url, state.api_pid = api_server.launch(state)
    state.save()
    cmd = [sys.executable, "-m", "sandbox.api_server", "restart", "--data-dir", state.root]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    saved = SandboxState.load(state.root)
    assert saved.api_url == state.api_url and saved.api_pid != state.api_pid
    assert not api_server.is_api_process(state.api_pid)
    state.api_pid = saved.api_pid
    assert httpx.get(saved.api_url + "/health").status_code == 200
    stop = subprocess.run([*cmd[:3], "stop", "--data-dir", state.root], cwd=REPO,
                          capture_output=True, text=True, timeout=60, check=False)
    assert stop.returncode == 0 and "api stopped" in stop.stdout
    assert not api_server.is_api_process(saved.api_pid)


def test_probe_settings_authenticate(state):
    state.api_url, state.api_pid = api_server.launch(state)
    probe = api_server.probe_settings(state)
    for side, tenant in (("A", "wien_pilot"), ("B", "graz_test")):
        got = httpx.get(state.api_url + "/api/v1/roster/status",
                        headers={"X-API-Key": probe[f"SOLVEREIGN_PROBE_API_KEY_{side}"]})
        assert got.json()["tenant"] == tenant == probe[f"SOLVEREIGN_PROBE_TENANT_{side}"]
    login = httpx.post(state.api_url + "/api/v1/platform/login", json={
        "email": probe["SOLVEREIGN_PROBE_PLATFORM_EMAIL"],
        "password": probe["SOLVEREIGN_PROBE_PLATFORM_PASSWORD"]})
    assert login.status_code == 200
    env = api_server.api_environment(state, {"PATH": "/bin", "SOLVEREIGN_PROBE_API_KEY_A": "x",
                                             "SOLVEREIGN_FLAG_REFRESH_SECONDS": "1",
                                             "SOLVEREIGN_DB_URL": "postgresql://stale/x"})
    assert not [k for k in env if k.startswith("SOLVEREIGN_PROBE_")]
    assert env["SOLVEREIGN_FLAG_REFRESH_SECONDS"] == "1"
    assert env["SOLVEREIGN_DB_URL"] == state.url("solvereign_migrator")


def test_a_bad_setting_is_reported_without_secrets(state):
    state.session_secret = "too-short"
    with pytest.raises(ConfigError) as err:
        api_server.launch(state)
    message = str(err.value)
    assert "SOLVEREIGN_SESSION_SECRET is too short" in message and "exited with code 2" in message
    for secret in [*state.passwords.values(), state.hmac_secret]:
        assert secret not in message


@pytest.mark.slow
def test_cutover_sandbox_up_with_api_end_to_end(tmp_path):
    # Not under tmp_path: pytest re-tightens its basetemp to 0700, which would lock the
    # server (another user) out of a data directory there.
    root = Path(tempfile.mkdtemp(prefix="solvereign-test-sbx-")) / "sbx"
    cli = [sys.executable, "-m", "cutover.cli", "sandbox"]
    up = subprocess.run([*cli, "up", "--at", "latest", "--with-api", "--data-dir", str(root)],
                        cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    try:
        assert up.returncode == 0, up.stderr[-2000:]
        env = {}
        for line in up.stdout.splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = shlex.split(value)[0]
        assert env["SOLVEREIGN_API_URL"].startswith("http://127.0.0.1:")
        assert {"SOLVEREIGN_PROBE_API_KEY_A", "SOLVEREIGN_PROBE_PLATFORM_PASSWORD"} <= set(env)
        state_file = root / "sandbox.json"
        assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
        saved = json.loads(state_file.read_text())
        assert saved["extra"]["SOLVEREIGN_PROBE_API_KEY_A"] == env["SOLVEREIGN_PROBE_API_KEY_A"]
        assert httpx.get(env["SOLVEREIGN_API_URL"] + "/health").json()["status"] == "healthy"
        gate_env = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
        gate_env.update(env, SOLVEREIGN_ARTIFACTS_DIR=str(tmp_path / "artifacts"))
        verdict = tmp_path / "gate.json"
        gate = subprocess.run([sys.executable, "-m", "pytest", "checks/p3_postmigration",
                               "-m", "postmigration and (health or auth)", "-q", "--no-header",
                               "-k", "pm10", "--gate-result", str(verdict)], cwd=REPO,
                              env=gate_env, capture_output=True, text=True, timeout=600,
                              check=False)
        checks = {c["check_id"]: c for c in json.loads(verdict.read_text())["checks"]}
        assert len(checks) == 8, gate.stdout[-3000:]
        failing = {k: c["message"] for k, c in checks.items() if c["status"] != "PASS"}
        replay = failing.pop("PM-105", "no REPLAY_ATTACK row appeared")
        assert not failing and "no REPLAY_ATTACK row appeared" in replay, gate.stdout[-3000:]
        assert (tmp_path / "artifacts" / "health_check.json").exists()
        pid = saved["api_pid"]
    finally:
        down = subprocess.run([*cli, "down", "--data-dir", str(root)], cwd=REPO,
                              capture_output=True, text=True, timeout=120, check=False)
    assert down.returncode == 0
    deadline = time.monotonic() + 15
    while api_server.is_api_process(pid) and time.monotonic() < deadline:
        time.sleep(0.1)  # down sends SIGTERM; the API shuts down gracefully
    assert not api_server.is_api_process(pid)

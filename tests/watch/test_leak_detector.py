"""The watch's tenant-leak detector (runbook §9.1, S0): a leak opened on a running
database while `cutover watch --leak-probe-interval` runs fires tenant_leak naming it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from cutover.watch.triggers import ROLLBACK, Sample, evaluate, exit_code

REPO = Path(__file__).resolve().parents[2]
LEAK_POLICY = "CREATE POLICY leak ON roster.drivers FOR SELECT TO solvereign_api USING (true)"
EVENT_BOUND = 300  # seconds: a hang guard only, never a speed assertion
# the watch samples every min(--interval, --leak-probe-interval) s and a probe that takes
# longer than this is due at every sample: the sample that first sees a leak in the
# catalog (verify_final_hardening) also runs the probe, so both are judged together
PROBE_EVERY = "0.5"


def _watch(db, log: Path, *extra: str, **env: str) -> subprocess.Popen:
    """`cutover watch` on the database alone (no metrics: misses never fire S1 here)."""
    return subprocess.Popen(
        [sys.executable, "-m", "cutover.cli", "watch", "--db-url", db.url("postgres"),
         "--interval", "0.5", "--max-misses", "100000", "--log", str(log), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        env=db.env(**env))


def _wait_for_samples(proc: subprocess.Popen, log: Path, n: int) -> list[dict]:
    """Block until the watch has logged n samples (the event), or it ended."""
    deadline = time.monotonic() + EVENT_BOUND
    while time.monotonic() < deadline and proc.poll() is None:
        rows = [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
        samples = [r for r in rows if "sample" in r]
        if len(samples) >= n:
            return samples
        time.sleep(0.1)
    raise AssertionError(f"watch logged fewer than {n} samples (rc {proc.poll()})")


def _finish(proc: subprocess.Popen, failed: bool = False) -> tuple[int, str, str]:
    """The watch's result once it fired (the event); stopped at once if the test failed."""
    if failed:
        proc.kill()
    try:
        out, err = proc.communicate(timeout=EVENT_BOUND)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return proc.returncode, out, err


def test_a_policy_opened_during_the_watch_fires_tenant_leak(make_platform, tmp_path):
    db = make_platform("latest")
    log = tmp_path / "watch.jsonl"
    proc = _watch(db, log, "--leak-probe-interval", PROBE_EVERY)
    try:
        first = _wait_for_samples(proc, log, 2)
        assert all(not s["sample"]["leaks"] for s in first), first  # clean before the leak
        with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
            conn.execute(LEAK_POLICY)
    except BaseException:
        _finish(proc, failed=True)
        raise
    code, out, err = _finish(proc)
    assert code == 2, out[-2000:] + err[-2000:]
    assert "[S0] tenant_leak: tenant data leak detected: roster.drivers: rows of tenant" in out
    for secret in db.secrets():
        assert secret not in out + err + log.read_text()


def test_a_grant_added_during_the_watch_fires_tenant_leak(make_platform, tmp_path):
    """A matview the api role may read has no RLS: a grant opens every tenant's rows."""
    db = make_platform("latest")
    log = tmp_path / "watch.jsonl"
    proc = _watch(db, log, "--leak-probe-interval", PROBE_EVERY)
    try:
        _wait_for_samples(proc, log, 2)
        with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE MATERIALIZED VIEW roster.mv_all_drivers AS "
                         "SELECT tenant_id, display_name FROM roster.drivers")
            conn.execute("ALTER MATERIALIZED VIEW roster.mv_all_drivers OWNER TO solvereign_owner")
            conn.execute("GRANT SELECT ON roster.mv_all_drivers TO solvereign_api")
    except BaseException:
        _finish(proc, failed=True)
        raise
    code, out, err = _finish(proc)
    assert code == 2, out[-2000:] + err[-2000:]
    assert "tenant_leak" in out and "roster.mv_all_drivers: rows of tenant" in out


def test_a_cross_tenant_security_event_fires_tenant_leak_naming_the_route(make_platform,
                                                                           tmp_path):
    db = make_platform("latest")
    log = tmp_path / "watch.jsonl"
    proc = _watch(db, log)  # the event count runs with or without the probe
    try:
        _wait_for_samples(proc, log, 1)
        with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
            conn.execute("SELECT core.log_security_event('CROSS_TENANT_ACCESS', 'CRITICAL', "
                         "'wien_pilot', '{\"route\": \"/api/v1/roster/plans/{plan_id}\"}')")
    except BaseException:
        _finish(proc, failed=True)
        raise
    code, out, err = _finish(proc)
    assert code == 2, out[-2000:] + err[-2000:]
    assert ("tenant_leak: tenant data leak detected: route /api/v1/roster/plans/{plan_id}: "
            "1 cross-tenant security event(s)") in out


def test_the_probe_needs_the_api_login(make_platform, tmp_path):
    """Bad input is UNKNOWN (3), one line, never 2 = roll back."""
    db = make_platform("latest")
    env = db.env()
    env.pop("SOLVEREIGN_API_DB_URL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "cutover.cli", "watch", "--db-url", db.url("postgres"),
         "--once", "--leak-probe-interval", "5"], capture_output=True, text=True, cwd=REPO,
        env=env, timeout=120, check=False)
    assert proc.returncode == 3, proc.stderr
    assert "--leak-probe-interval needs SOLVEREIGN_API_DB_URL" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("leaks", [["roster.drivers: rows of tenant graz_test visible"]])
def test_a_leak_in_any_sample_is_s0(leaks):
    """Once seen, a leak stays an S0 finding for the rest of the watch."""
    samples = [Sample(at=0, error_rate=0.0, leaks=leaks), Sample(at=1, error_rate=0.0)]
    findings = evaluate(samples)
    assert exit_code(findings) == ROLLBACK
    assert findings[0].trigger == "tenant_leak" and findings[0].severity == "S0"
    assert "roster.drivers" in findings[0].message

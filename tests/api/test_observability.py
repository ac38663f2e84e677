"""Metrics in the Prometheus format, and structured logs that never carry a secret."""

from __future__ import annotations

import json
import re

import httpx

from tests.api.conftest import seed_for
from tests.api.helpers import OPS, login, signed


def test_metrics_count_by_route_template_and_time_requests(client, seed_data):
    key = {"X-API-Key": seed_data.api_key("wien_pilot")}
    client.get("/api/v1/roster/plans/1", headers=key)
    client.get("/api/v1/roster/plans/999", headers=key)
    client.get("/api/v1/roster/status")
    client.get("/no/such/path")
    text = client.get("/metrics").text
    assert re.search(r'http_requests_total\{method="GET",route="/api/v1/roster/plans/\{plan_id\}"'
                     r',status="200"\} [1-9]', text)
    assert 'route="/api/v1/roster/plans/{plan_id}",status="404"' in text
    assert 'route="/api/v1/roster/status",status="401"' in text
    assert 'route="unmatched",status="404"' in text
    assert "/api/v1/roster/plans/999" not in text  # raw paths never become labels
    buckets = [ln for ln in text.splitlines()
               if ln.startswith("http_request_duration_seconds_bucket{")
               and 'route="/api/v1/roster/status"' in ln and 'le="2.0"' in ln]
    assert buckets and float(buckets[0].rsplit(" ", 1)[1]) >= 1
    assert "http_request_duration_seconds_count" in text


def test_no_secret_reaches_the_log(make_platform, start_api):
    db = make_platform("latest")
    api = start_api(db, SOLVEREIGN_LOG_LEVEL="DEBUG")
    data = seed_for(db.hmac_secret)
    key = data.api_key("wien_pilot")
    with httpx.Client(base_url=api.url, timeout=10) as client:
        cookie = login(client, data)
        client.post("/api/v1/platform/login", json={"email": OPS, "password": "Wr0ng-Pa55w0rd"})
        client.get("/api/v1/roster/status", headers={"X-API-Key": key})
        client.get("/api/v1/platform/tenants", headers={"Cookie": cookie, "X-API-Key": key})
        client.get("/api/v1/roster/status", headers={"X-API-Key": "svk_" + "q" * 52})
        first = signed(client, key, "POST", "/api/v1/roster/absences", {"driver": "DRV001"})
        client.send(first.request)
        client.get(f"/api/v1/roster/plans/1?token={key}", headers={"X-API-Key": key})
    api.stop()
    log = api.log_text()
    lines = [ln for ln in log.splitlines() if ln.strip()]
    records = [json.loads(ln) for ln in lines]  # every line is one JSON object
    assert any(r.get("event") == "replay_attack" for r in records)
    assert any(r.get("event") == "request" and r["status"] == 409 for r in records)
    secrets = [*db.secrets(), *(k.key for k in data.api_keys), *data.user_passwords.values(),
               "Wr0ng-Pa55w0rd", cookie.split("=", 1)[1], db.url("solvereign_api"),
               db.url("solvereign_platform")]
    for secret in secrets:
        assert secret not in log, f"secret starting {secret[:6]} in the log"


def test_bad_settings_are_one_line_and_exit_2(make_platform, tmp_path):
    import subprocess
    import sys

    from tests.platform import REPO

    db = make_platform("pre")
    cases = [
        ({"SOLVEREIGN_SANDBOX_FAULTS": "replay_off", "SOLVEREIGN_ENV": "production"},
         "SOLVEREIGN_SANDBOX_FAULTS is test infrastructure and is refused"),
        ({"SOLVEREIGN_SANDBOX_FAULTS": "no_such_fault"}, "unknown fault 'no_such_fault'"),
        ({"SOLVEREIGN_SESSION_SECRET": "short"}, "SOLVEREIGN_SESSION_SECRET is too short"),
        ({"SOLVEREIGN_API_DB_URL": "mysql://x"}, "SOLVEREIGN_API_DB_URL must start with"),
        ({"SOLVEREIGN_FLAG_REFRESH_SECONDS": "soon"},
         "SOLVEREIGN_FLAG_REFRESH_SECONDS must be a number"),
        ({"SOLVEREIGN_ENV": "production"}, "SOLVEREIGN_APPCONFIG_CONNECTION_STRING"),
    ]
    for overrides, expected in cases:
        proc = subprocess.run([sys.executable, "-m", "sandbox.api", "--port", "0"], cwd=REPO,
                              env=db.env(**overrides), capture_output=True, text=True,
                              timeout=60, check=False)
        assert proc.returncode == 2, (overrides, proc.stderr)
        assert expected in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, \
            proc.stderr
        for secret in db.secrets():
            assert secret not in proc.stderr

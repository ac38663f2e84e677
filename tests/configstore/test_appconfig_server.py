"""The loopback server's own checks, probed with hand-signed httpx requests.

The signer here is written independently of the server's (from docs/configuration.md), so a bug in
the server's verifier cannot hide behind a matching bug in a shared helper; the SDK tests
prove that what the real SDK signs is accepted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from azure.appconfiguration import AzureAppConfigurationClient, ConfigurationSetting

from sandbox.appconfig_server import connection_string, new_secret, start_server, stop_server
from tests.configstore.helpers import CREDENTIAL_ID

pytest_plugins = ["tests.configstore.fixtures"]

REPO = Path(__file__).resolve().parents[2]
SDK_DATE = "%b, %d %Y %H:%M:%S.%f GMT"


def signed_request(
    loopback,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    sent_body: bytes | None = None,
    sent_path: str | None = None,
    date: datetime | None = None,
) -> httpx.Response:
    """Sign (method, path, body) like the SDK; optionally send something else."""
    x_ms_date = (date or datetime.now(UTC)).strftime(SDK_DATE)
    sha = base64.b64encode(hashlib.sha256(body).digest()).decode()
    host = loopback.endpoint.removeprefix("http://")
    to_sign = f"{method}\n{path}\n{x_ms_date};{host};{sha}".encode()
    key = base64.b64decode(loopback.secret)
    signature = base64.b64encode(hmac.new(key, to_sign, hashlib.sha256).digest()).decode()
    headers = {
        "x-ms-date": x_ms_date,
        "x-ms-content-sha256": sha,
        "Content-Type": "application/vnd.microsoft.appconfig.kv+json",
        "Authorization": f"HMAC-SHA256 Credential={CREDENTIAL_ID}"
        f"&SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}",
    }
    content = body if sent_body is None else sent_body
    url = loopback.endpoint + (sent_path or path)
    return httpx.request(method, url, content=content, headers=headers, timeout=5)


def assert_invalid_token(response: httpx.Response, detail: str) -> None:
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('HMAC-SHA256 error="invalid_token"')
    assert detail in challenge


def test_signed_put_and_get(loopback):
    body = json.dumps({"value": "true"}).encode()
    put = signed_request(loopback, "PUT", "/kv/flag?api-version=2023-11-01", body)
    assert put.status_code == 200
    fields = put.json()
    assert {"key", "value", "label", "content_type", "tags", "etag", "locked"} <= set(fields)
    assert (fields["key"], fields["value"], fields["label"]) == ("flag", "true", None)
    assert put.headers["ETag"] == f'"{fields["etag"]}"'
    get = signed_request(loopback, "GET", "/kv/flag?api-version=2023-11-01")
    assert get.json()["etag"] == fields["etag"]


def test_tampered_body_is_rejected(loopback):
    signed = json.dumps({"value": "false"}).encode()
    tampered = json.dumps({"value": "true"}).encode()
    response = signed_request(
        loopback, "PUT", "/kv/flag?api-version=1.0", signed, sent_body=tampered
    )
    assert_invalid_token(response, "Content hash")
    assert loopback.server.store.get("flag", None) is None


def test_tampered_query_is_rejected(loopback):
    response = signed_request(
        loopback,
        "GET",
        "/kv/flag?api-version=1.0&label=staging",
        sent_path="/kv/flag?api-version=1.0&label=production",
    )
    assert_invalid_token(response, "Invalid Signature")


@pytest.mark.parametrize("offset", [timedelta(minutes=-16), timedelta(minutes=16)])
def test_clock_skew_over_15_minutes_is_rejected(loopback, offset):
    response = signed_request(
        loopback, "GET", "/kv?api-version=1.0", date=datetime.now(UTC) + offset
    )
    assert_invalid_token(response, "expired")


def test_clock_skew_within_15_minutes_is_accepted(loopback):
    date = datetime.now(UTC) - timedelta(minutes=14)
    response = signed_request(loopback, "GET", "/kv?api-version=1.0", date=date)
    assert response.status_code == 200 and response.json() == {"items": []}


def test_unsigned_request_is_rejected(loopback):
    response = httpx.get(loopback.endpoint + "/kv?api-version=1.0", timeout=5)
    assert_invalid_token(response, "HMAC-SHA256")


def test_api_version_is_required(loopback):
    assert signed_request(loopback, "GET", "/kv").status_code == 400


def test_state_survives_a_restart(tmp_path):
    secret = new_secret()
    state = tmp_path / "appconfig.json"
    for round_ in range(2):
        server, thread, endpoint = start_server(CREDENTIAL_ID, secret, state_file=state)
        try:
            conn = connection_string(endpoint, CREDENTIAL_ID, secret)
            with AzureAppConfigurationClient.from_connection_string(conn, retry_total=0) as c:
                if round_ == 0:
                    c.set_configuration_setting(ConfigurationSetting(key="k", value="kept"))
                else:
                    assert c.get_configuration_setting(key="k").value == "kept"
        finally:
            stop_server(server, thread)


def test_command_line_serves_until_sigterm_and_never_prints_the_secret(tmp_path):
    secret_file = tmp_path / "secret"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox.appconfig_server",
            "--port",
            "0",
            "--credential-id",
            CREDENTIAL_ID,
            "--secret-file",
            str(secret_file),
            "--create-secret",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        endpoint = process.stdout.readline().strip()
        assert endpoint.startswith("http://127.0.0.1:")
        secret = secret_file.read_text().strip()
        assert oct(secret_file.stat().st_mode & 0o777) == "0o600"
        conn = connection_string(endpoint, CREDENTIAL_ID, secret)
        with AzureAppConfigurationClient.from_connection_string(conn, retry_total=0) as client:
            client.set_configuration_setting(ConfigurationSetting(key="k", value="v"))
            assert client.get_configuration_setting(key="k").value == "v"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert secret not in out + err + endpoint


def test_command_line_refuses_a_bad_secret_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("not base64 at all!\n")
    command = ["-m", "sandbox.appconfig_server", "--credential-id", "x"]
    result = subprocess.run(
        [sys.executable, *command, "--secret-file", str(secret_file)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "base64" in result.stderr and "not base64 at all" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

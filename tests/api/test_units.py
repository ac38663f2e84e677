"""Pure pieces of the API and of the gate's probe, without a server."""

from __future__ import annotations

import json
import logging

import pytest

from cutover.api import probe, responses
from cutover.errors import ConfigError
from sandbox.api import passwords, sessions, signing
from sandbox.api.faults import parse_faults
from sandbox.api.logs import JsonFormatter, SecretMask
from sandbox.api.principals import PlatformPrincipal

SECRET = "s" * 40


def test_faults_parse_with_and_without_routes():
    faults = parse_faults("replay_off, pack_accepts_cookie:/api/v1/roster/drivers")
    assert faults.on("replay_off", "/anything")
    assert faults.on("pack_accepts_cookie", "/api/v1/roster/drivers")
    assert not faults.on("pack_accepts_cookie", "/api/v1/roster/status")
    assert not faults.on("ignore_flag") and not parse_faults("")
    with pytest.raises(ConfigError, match="unknown fault 'typo'"):
        parse_faults("typo")
    with pytest.raises(ConfigError, match="must start with /"):
        parse_faults("replay_off:api")


def test_session_tokens_are_unforgeable_and_expire():
    user = PlatformPrincipal(7, "ops@example.test", True)
    token, expires = sessions.issue(SECRET, user, 60, now=1000)
    assert expires == 1060
    assert sessions.verify(SECRET, token, now=1001) == user
    assert sessions.verify(SECRET, token, now=1061) is None
    assert sessions.verify("t" * 40, token, now=1001) is None
    _payload, mac = token.split(".")
    forged = json.dumps({"uid": 1, "email": "x", "adm": True, "exp": 9_999_999_999})
    assert sessions.verify(SECRET, sessions._b64(forged.encode()) + "." + mac) is None
    assert sessions.verify(SECRET, "garbage") is None


def test_the_gate_and_the_api_agree_on_signatures():
    body = b'{"driver": "DRV001"}'
    headers = probe.signed_headers("svk_key", "POST", "/api/v1/roster/absences?x=1", body,
                                      nonce="n" * 20, timestamp=1_700_000_000)
    lower = {k.lower(): v for k, v in headers.items()}
    ok = signing.check(lower, "svk_key", "POST", "/api/v1/roster/absences?x=1", body, 300,
                       now=1_700_000_100)
    assert ok is None
    tampered = signing.check(lower, "svk_key", "POST", "/api/v1/roster/absences?x=1",
                             body + b" ", 300, now=1_700_000_100)
    assert tampered[0] == "invalid_signature"
    assert signing.check(lower, "svk_key", "POST", "/api/v1/roster/absences?x=1", body, 300,
                         now=1_700_001_000)[0] == "stale_timestamp"
    assert signing.check({}, "k", "POST", "/", b"", 300)[0] == "missing_signature"
    short = {**lower, "x-nonce": "short"}
    assert signing.check(short, "svk_key", "POST", "/", body, 300,
                         now=1_700_000_000)[0] == "invalid_signature"


def test_password_hashes_of_the_seed_format():
    from sandbox.seed import _password_hash

    stored = _password_hash(b"k" * 32, "purpose", "hunter2-correct")
    assert passwords.verify(stored, "hunter2-correct")
    assert not passwords.verify(stored, "hunter2-wrong")
    assert not passwords.verify(None, "anything")
    assert not passwords.verify("md5$abc", "anything")
    assert not passwords.verify("scrypt$1048576$8$1$AA==$AA==", "x")  # absurd cost refused


def test_log_records_are_json_with_secrets_masked():
    record = logging.LogRecord("solvereign.api", logging.INFO, __file__, 1,
                               "connect postgresql://api:pw123456@h/db with %s", (SECRET,), None)
    record.detail = f"key={SECRET}"
    assert SecretMask([SECRET]).filter(record)
    line = JsonFormatter().format(record)
    doc = json.loads(line)
    assert "pw123456" not in line and SECRET not in line
    assert doc["msg"] == "connect postgresql://api:***@h/db with ***" and doc["detail"] == "key=***"


def test_probe_helpers_walk_documents():
    doc = {"tenant": "a", "rows": [{"id": 3, "tenant": "b"}, {"id": 4, "tenant_id": "c"}],
           "nested": {"x": ["graz_test"]}}
    assert sorted(responses.tenants_in(doc)) == ["a", "b", "c"]
    assert "graz_test" in set(responses.strings_in(doc))
    assert responses.ids_in(doc) == [3, 4]


def test_operations_fill_parameters():
    spec = {"parameters": [
        {"name": "plan_id", "in": "path", "required": True,
         "schema": {"type": "integer", "maximum": 99, "examples": [1]}},
        {"name": "week_start", "in": "query", "required": True,
         "schema": {"type": "string", "examples": ["2026-01-12"]}},
        {"name": "limit", "in": "query", "schema": {"type": "integer"}}]}
    op = probe.Operation("GET", "/api/v1/roster/plans/{plan_id}", spec)
    assert op.kind == "pack" and not op.mutating and op.readable()
    assert op.url() == "/api/v1/roster/plans/99?week_start=2026-01-12"
    assert op.url(inert=False) == "/api/v1/roster/plans/1?week_start=2026-01-12"
    assert op.url({"plan_id": 5}) == "/api/v1/roster/plans/5?week_start=2026-01-12"
    platform = probe.Operation("POST", "/api/v1/platform/tenants/{tenant_id}/deactivate",
                                  {"parameters": [{"name": "tenant_id", "in": "path",
                                                   "schema": {"type": "string"}}]})
    assert platform.kind == "platform" and platform.mutating
    assert platform.url() == f"/api/v1/platform/tenants/{probe.INERT_STRING}/deactivate"
    assert probe.is_public(probe.Operation("GET", "/health", {}))

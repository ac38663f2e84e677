"""Platform sessions end with their user's rights, and failed sign-ins are throttled.

Through the real server: a session cookie stops working the moment its user is disabled or
loses platform admin (the guard re-reads the user on every request), and repeated failed
logins answer 429 with Retry-After, logged as PLATFORM_LOGIN_THROTTLED and in the API log.
The throttle tests never sleep: the threshold and window are settings, and they assert on
counts of answers and events.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import psycopg
import pytest

from sandbox.api.throttle import LoginThrottle
from tests.api.conftest import seed_for
from tests.api.helpers import OPS, SUPPORT, login

TENANTS = "/api/v1/platform/tenants"
LOGIN = "/api/v1/platform/login"
EVENTS_SQL = ("SELECT event_type, details FROM core.security_events WHERE id > %s"
              " AND event_type IN ('PLATFORM_LOGIN_FAILED', 'PLATFORM_LOGIN_THROTTLED')"
              " ORDER BY id")


@contextmanager
def user_changed(db, email: str, assignment: str) -> Iterator[None]:
    """`UPDATE core.users SET <assignment>` for one user, undone afterwards."""
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        before = conn.execute("SELECT disabled_at, is_platform_admin FROM core.users"
                              " WHERE email = %s", (email,)).fetchone()
        conn.execute(f"UPDATE core.users SET {assignment} WHERE email = %s", (email,))
        try:
            yield
        finally:
            conn.execute("UPDATE core.users SET disabled_at = %s, is_platform_admin = %s"
                         " WHERE email = %s", (*before, email))


def last_event_id(db) -> int:
    with psycopg.connect(db.url("postgres")) as conn:
        return conn.execute("SELECT coalesce(max(id), 0) FROM core.security_events").fetchone()[0]


def events_since(db, since: int) -> list[tuple[str, dict]]:
    with psycopg.connect(db.url("postgres")) as conn:
        return conn.execute(EVENTS_SQL, (since,)).fetchall()


def log_events(api, event: str) -> list[dict]:
    lines = [json.loads(ln) for ln in api.log_text().splitlines() if ln.startswith("{")]
    return [ln for ln in lines if ln.get("event") == event]


def fail_login(client: httpx.Client, email: str) -> httpx.Response:
    return client.post(LOGIN, json={"email": email, "password": "Wr0ng-Pa55w0rd"})


@pytest.mark.parametrize("email, change, reason", [
    (SUPPORT, "disabled_at = now()", "user_disabled"),
    (OPS, "is_platform_admin = false", "admin_revoked"),
])
def test_a_session_ends_with_its_users_rights(latest_db, start_api, email, change, reason):
    api = start_api(latest_db)
    data = seed_for(latest_db.hmac_secret)
    with httpx.Client(base_url=api.url, timeout=10) as client:
        cookie = login(client, data, email)
        assert client.get(TENANTS, headers={"Cookie": cookie}).status_code == 200
        with user_changed(latest_db, email, change):
            refused = client.get(TENANTS, headers={"Cookie": cookie})
            assert (refused.status_code, refused.json()["error"]) == (401, "invalid_session")
        assert client.get(TENANTS, headers={"Cookie": cookie}).status_code == 200
    logged = log_events(api, "session_revoked")
    assert [e["reason"] for e in logged] == [reason]


def test_a_disabled_user_cannot_sign_in_again(latest_db, start_api):
    api = start_api(latest_db)
    data = seed_for(latest_db.hmac_secret)
    with httpx.Client(base_url=api.url, timeout=10) as client, \
            user_changed(latest_db, SUPPORT, "disabled_at = now()"):
        got = client.post(LOGIN, json={"email": SUPPORT,
                                       "password": data.user_passwords[SUPPORT]})
        assert got.status_code == 401


def test_the_session_not_revoked_fault_keeps_a_disabled_users_session(latest_db, start_api):
    """The property is live: with the fault, the same request is served."""
    api = start_api(latest_db, SOLVEREIGN_SANDBOX_FAULTS="session_not_revoked")
    data = seed_for(latest_db.hmac_secret)
    with httpx.Client(base_url=api.url, timeout=10) as client:
        cookie = login(client, data, SUPPORT)
        with user_changed(latest_db, SUPPORT, "disabled_at = now()"):
            assert client.get(TENANTS, headers={"Cookie": cookie}).status_code == 200


def test_failed_logins_for_one_account_are_throttled_and_logged(latest_db, start_api):
    api = start_api(latest_db, SOLVEREIGN_LOGIN_MAX_FAILURES="3",
                    SOLVEREIGN_LOGIN_WINDOW_SECONDS="600")
    data = seed_for(latest_db.hmac_secret)
    since = last_event_id(latest_db)
    with httpx.Client(base_url=api.url, timeout=10) as client:
        answers = [fail_login(client, SUPPORT).status_code for _ in range(3)]
        assert answers == [401, 401, 401]
        for password in ("Wr0ng-Pa55w0rd", data.user_passwords[SUPPORT]):
            throttled = client.post(LOGIN, json={"email": SUPPORT.upper(),
                                                 "password": password})
            assert throttled.status_code == 429, throttled.text
            assert throttled.json()["error"] == "too_many_attempts"
            assert 1 <= int(throttled.headers["Retry-After"]) <= 600
            assert "set-cookie" not in throttled.headers
        assert login(client, data, OPS)  # another account is not affected
    events = events_since(latest_db, since)
    assert [t for t, _ in events] == ["PLATFORM_LOGIN_FAILED"] * 3 + \
        ["PLATFORM_LOGIN_THROTTLED"]
    details = events[-1][1]
    assert details == {**details, "email": SUPPORT, "scope": "account", "failures": 3,
                       "window_seconds": 600}
    assert len(log_events(api, "login_throttle_engaged")) == 1
    assert len(log_events(api, "login_throttled")) == 2
    assert "Wr0ng-Pa55w0rd" not in api.log_text()


def test_failed_logins_from_one_client_are_throttled(latest_db, start_api):
    api = start_api(latest_db, SOLVEREIGN_LOGIN_MAX_FAILURES_PER_CLIENT="4")
    data = seed_for(latest_db.hmac_secret)
    since = last_event_id(latest_db)
    with httpx.Client(base_url=api.url, timeout=10) as client:
        answers = [fail_login(client, f"spray{i}@example.invalid").status_code
                   for i in range(4)]
        assert answers == [401] * 4
        got = client.post(LOGIN, json={"email": OPS, "password": data.user_passwords[OPS]})
        assert got.status_code == 429 and int(got.headers["Retry-After"]) >= 1
    throttled = [d for t, d in events_since(latest_db, since)
                 if t == "PLATFORM_LOGIN_THROTTLED"]
    assert [(d["scope"], d["client"], d["failures"]) for d in throttled] == \
        [("client", "127.0.0.1", 4)]


def test_the_login_not_throttled_fault_never_throttles(latest_db, start_api):
    api = start_api(latest_db, SOLVEREIGN_LOGIN_MAX_FAILURES="2",
                    SOLVEREIGN_SANDBOX_FAULTS="login_not_throttled")
    since = last_event_id(latest_db)
    with httpx.Client(base_url=api.url, timeout=10) as client:
        assert [fail_login(client, SUPPORT).status_code for _ in range(5)] == [401] * 5
    assert [t for t, _ in events_since(latest_db, since)] == ["PLATFORM_LOGIN_FAILED"] * 5


def test_bad_throttle_settings_are_one_line(latest_db):
    import subprocess
    import sys

    from tests.platform import REPO

    env = latest_db.env(SOLVEREIGN_LOGIN_WINDOW_SECONDS="soon")
    proc = subprocess.run([sys.executable, "-m", "sandbox.api", "--port", "0"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("sandbox api: SOLVEREIGN_LOGIN_WINDOW_SECONDS must be a "
                                   "number (got 'soon')")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_window_slides_on_an_injected_clock():
    clock = Clock()
    throttle = LoginThrottle(3, 100, 60, clock=clock)
    for step in range(3):
        assert throttle.retry_after("A@x.example", "c") is None
        engaged = throttle.failed("a@X.example", "c")
        clock.now += 10 * (step < 2)
    assert [(e.scope, e.failures) for e in engaged] == [("account", 3)]
    assert throttle.retry_after("a@x.example", "c") == 40  # first failure at 1000, now 1020
    assert throttle.retry_after("b@x.example", "c") is None
    clock.now += 40
    assert throttle.retry_after("a@x.example", "c") is None  # the oldest failure expired
    assert throttle.failed("a@x.example", "c")[0].scope == "account"  # 3 within 60 s again
    throttle.succeeded("a@x.example")
    assert throttle.retry_after("a@x.example", "c") is None
    off = LoginThrottle(1, 1, 60, enabled=False, clock=clock)
    assert off.failed("a@x.example", "c") == [] and off.retry_after("a@x.example", "c") is None

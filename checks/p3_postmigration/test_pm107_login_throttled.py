"""PM-107: repeated failed platform sign-ins are throttled (429 + Retry-After) and logged.

Without a throttle, a platform password can be guessed at the speed of the password hash.
The probe signs in again and again with a wrong password for an e-mail that exists nowhere
(unique per run, so no real account is locked out) until the API answers 429: it must do so
within SOLVEREIGN_PROBE_LOGIN_ATTEMPTS attempts (default 20), with a Retry-After of whole
seconds, and record PLATFORM_LOGIN_THROTTLED in core.security_events naming that e-mail.

The failed sign-ins write security events, so the probe runs only outside production (or
with SOLVEREIGN_ALLOW_ACTIVE_PROBES=true).
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from checks.api_common import active_probes_allowed, probe, setting, write_artifact
from cutover.api import probe as apiprobe

pytestmark = [pytest.mark.postmigration, pytest.mark.auth]
ATTEMPTS = "SOLVEREIGN_PROBE_LOGIN_ATTEMPTS"
DEFAULT_ATTEMPTS = 20
EVENT_WAIT = 5.0
EVENTS_SQL = (Path(__file__).parent / "pm107_throttle_events.sql").read_text


def _attempts(target) -> int:
    raw = setting(target, ATTEMPTS)
    if not raw:
        return DEFAULT_ATTEMPTS
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        pytest.fail(f"{ATTEMPTS} must be a whole number from 1 to 1000 (got {raw!r})",
                    pytrace=False)
    return int(raw)


def _events(gate_db, since, email: str) -> list[tuple]:
    """The probe's PLATFORM_LOGIN_THROTTLED rows, waited for within a bounded time."""
    deadline = time.monotonic() + EVENT_WAIT
    while True:
        rows = gate_db.execute(EVENTS_SQL(), {"since": since, "email": email}).fetchall()
        if rows or time.monotonic() >= deadline:
            return rows
        time.sleep(0.25)


def _retry_after(response: httpx.Response) -> str | None:
    """The problem with a 429's Retry-After, or None when it is whole seconds >= 1."""
    value = response.headers.get("retry-after")
    if value is None:
        return "without a Retry-After header"
    if not value.strip().isdigit() or int(value) < 1:
        return f"with Retry-After {value!r} (not whole seconds >= 1)"
    return None


@pytest.mark.check(id="PM-107", severity="blocker", runbook="§4.2",
                   remediation="Count failed platform sign-ins per e-mail (and per client) in "
                               "a sliding window; past the limit answer 429 with Retry-After "
                               "before checking the password, and log "
                               "PLATFORM_LOGIN_THROTTLED through core.log_security_event.")
def test_pm107_failed_logins_are_throttled_and_logged(target, evidence, gate_db):
    """Failed sign-ins for one e-mail end in 429 with Retry-After and a security event."""
    api = probe(target)
    limit = _attempts(target)
    if not active_probes_allowed(target):
        pytest.skip("not verified: PM-107's failed sign-ins write security events; it does "
                    "not run in production unless SOLVEREIGN_ALLOW_ACTIVE_PROBES=true")
    try:
        since = gate_db.execute("SELECT now()").fetchone()[0]
    except psycopg.Error as exc:
        pytest.skip(f"not verified: the gate's database session failed: {exc}")
    email = f"gate-throttle-{secrets.token_hex(6)}@probe.invalid"
    wrong = "gate-" + secrets.token_urlsafe(12)
    op = apiprobe.Operation("POST", apiprobe.LOGIN_PATH, {})
    answers: list[int] = []
    throttled = None
    for _ in range(limit):
        response = api.client.post(apiprobe.LOGIN_PATH, json={"email": email,
                                                              "password": wrong})
        api.client.cookies.clear()
        answers.append(response.status_code)
        if response.status_code == 429:
            throttled = response
            break
        if response.status_code != 401:
            break
    evidence.data.update(email=email, answers=answers, attempts_allowed=limit)
    problems = []
    if throttled is None:
        last = answers[-1] if answers else None
        if last not in (401, None):
            problems.append(f"{op.name} answered HTTP {last} to a wrong password")
        else:
            problems.append(f"{op.name}: {len(answers)} failed sign-ins for one e-mail, none "
                            "refused with HTTP 429")
    else:
        bad = _retry_after(throttled)
        if bad:
            problems.append(f"{op.name} answered HTTP 429 {bad}")
        try:
            events = _events(gate_db, since, email)
        except psycopg.Error as exc:
            pytest.skip(f"not verified: cannot read core.security_events: "
                        f"{str(exc).splitlines()[0]}")
        evidence.query("security_events", EVENTS_SQL(), ["id", "created_at", "severity",
                                                         "details"], events)
        if not events:
            problems.append(f"{op.name} throttled after {len(answers) - 1} failures but no "
                            "PLATFORM_LOGIN_THROTTLED row naming the e-mail appeared in "
                            f"core.security_events within {EVENT_WAIT:g} s")
    evidence.offenders = [op.name] if problems else []
    write_artifact(target, "auth_separation_test.json", "PM-107", {
        "title": "failed sign-ins are throttled and logged",
        "status": "FAIL" if problems else "PASS", "answers": answers, "problems": problems})
    assert not problems, "; ".join(problems)

"""PM-105: a replayed signed request is refused (409) and logged as REPLAY_ATTACK."""

from __future__ import annotations

import secrets
import time

import psycopg
import pytest

from checks.api_common import operations, probe, required, setting, write_artifact
from cutover.api import probe as apiprobe
from cutover.api import responses
from cutover.settings import boolean

pytestmark = [pytest.mark.postmigration, pytest.mark.auth]
EVENT_WAIT = 5.0
EVENTS_SQL = ("SELECT id, created_at, severity, tenant_id, details FROM core.security_events"
              " WHERE event_type = 'REPLAY_ATTACK' AND created_at >= %s ORDER BY id")


def _probe_operation(api, ops) -> apiprobe.Operation:
    """A signed pack write whose body `{}` is invalid, so the probe can never write data."""
    document = api.document()
    for op in ops:
        if op.kind == "pack" and op.mutating and op.body_requires_fields(document):
            return op
    pytest.skip("not verified: no mutating pack route with a required body to probe")


def _events(gate_db, since, nonce: str) -> tuple[list[tuple], bool]:
    """REPLAY_ATTACK rows since the probe started; whether one names the probe's nonce."""
    deadline = time.monotonic() + EVENT_WAIT
    while True:
        rows = gate_db.execute(EVENTS_SQL, (since,)).fetchall()
        mine = [r for r in rows if isinstance(r[4], dict) and r[4].get("nonce") == nonce]
        if mine or time.monotonic() >= deadline:
            return (mine or rows), bool(mine)
        time.sleep(0.25)


@pytest.mark.check(id="PM-105", severity="blocker", runbook="§4.2",
                   remediation="Record every signed request's nonce in core.request_nonces "
                               "(unique per tenant); refuse a reuse with 409 replay_detected "
                               "and log it through core.log_security_event('REPLAY_ATTACK').")
def test_pm105_replay_is_refused_and_logged(target, evidence, gate_db):
    """Send one signed request twice: the second is refused and shows up as REPLAY_ATTACK."""
    api = probe(target)
    (key,) = required(target, apiprobe.KEY_A)
    if target.production and not boolean("SOLVEREIGN_ALLOW_ACTIVE_PROBES", {
            "SOLVEREIGN_ALLOW_ACTIVE_PROBES": setting(target, "SOLVEREIGN_ALLOW_ACTIVE_PROBES")
            or ""}):
        pytest.skip("not verified: the replay probe writes a nonce and a security event; "
                    "set SOLVEREIGN_ALLOW_ACTIVE_PROBES=true to run it in production")
    op = _probe_operation(api, operations(api, evidence))
    try:
        since = gate_db.execute("SELECT now()").fetchone()[0]
    except psycopg.Error as exc:
        pytest.skip(f"not verified: the gate's database session failed: {exc}")
    nonce = "gate-replay-" + secrets.token_hex(12)
    first = api.call(op, api_key=key, sign=True, nonce=nonce)
    second = api.replay(first)
    records = [apiprobe.record(first, op, attempt="first"),
               apiprobe.record(second, op, attempt="replay")]
    evidence.data.update(probes=records, nonce=nonce)
    section = {"title": "replayed signed request refused and logged", "operation": op.name,
               "nonce": nonce, "probes": records}
    if first.status_code in (401, 403):
        write_artifact(target, "auth_separation_test.json", "PM-105",
                       {**section, "status": "NOT VERIFIED"})
        pytest.skip(f"not verified: the first signed {op.name} was refused "
                    f"({responses.describe(first)}); the gate's signature does not match the "
                    "target's scheme")
    problems = []
    if second.status_code != 409 or responses.error_of(second) != "replay_detected":
        problems.append(f"the replay of {op.name} answered {responses.describe(second)}, "
                        "not HTTP 409 replay_detected")
        events, named = [], False
    else:
        try:
            events, named = _events(gate_db, since, nonce)
        except psycopg.Error as exc:
            pytest.skip(f"not verified: cannot read core.security_events: "
                        f"{str(exc).splitlines()[0]}")
        evidence.query("security_events", EVENTS_SQL, ["id", "created_at", "severity",
                                                       "tenant_id", "details"], events)
        if not events:
            problems.append(f"the replay of {op.name} was refused but no REPLAY_ATTACK row "
                            f"appeared in core.security_events within {EVENT_WAIT:g} s")
        elif not named:
            evidence.note("a REPLAY_ATTACK row appeared, without the probe's nonce in details")
    evidence.offenders = [op.name] if problems else []
    write_artifact(target, "auth_separation_test.json", "PM-105", {
        **section, "status": "FAIL" if problems else "PASS", "problems": problems,
        "security_events": [[str(v) for v in r] for r in events]})
    assert not problems, "; ".join(problems)

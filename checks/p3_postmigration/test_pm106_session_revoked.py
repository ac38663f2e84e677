"""PM-106: a platform session stops working once its user is disabled or loses platform admin.

A signed session cookie is valid until it expires unless the API re-reads its user; an
operator who was let go, or whose admin right was taken, would keep both for hours. The
probe signs in as a dedicated probe user (SOLVEREIGN_PROBE_REVOKE_EMAIL / _PASSWORD), then,
through the target database, disables that user for a moment and re-sends a platform read
with the same cookie: it must be refused (401/403), and signing in again must fail. If the
user is a platform admin, the same for taking admin away. Every change is undone at once.

It writes to core.users, so it runs only outside production (or with
SOLVEREIGN_ALLOW_ACTIVE_PROBES=true). The disable uses the marker disabled_at = 'epoch':
a run interrupted between the change and its undo is healed by the next run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from checks.api_common import (
    active_probes_allowed,
    offenders_message,
    operations,
    probe,
    required,
    write_artifact,
)
from cutover.api import probe as apiprobe
from cutover.api import responses
from cutover.api.probe import ApiProbe, Operation, ProbeError
from cutover.errors import CutoverError
from cutover.pg.connect import connect

pytestmark = [pytest.mark.postmigration, pytest.mark.auth]
EMAIL, PASSWORD = "SOLVEREIGN_PROBE_REVOKE_EMAIL", "SOLVEREIGN_PROBE_REVOKE_PASSWORD"
HERE = Path(__file__).parent
SESSION_OPTIONS = ("-c search_path=pg_catalog,pg_temp -c statement_timeout=10s"
                   " -c lock_timeout=5s")


def _sql(name: str) -> str:
    return (HERE / name).read_text()


@contextmanager
def _writer(target) -> Iterator[psycopg.Connection]:
    """An autocommit session on the target (the API must see each change at once)."""
    try:
        conn = connect(target.db_url or "", application_name="cutover-gate-pm106",
                       options=SESSION_OPTIONS)
    except CutoverError as exc:
        pytest.skip(f"not verified: cannot open a writing session on the target: {exc}")
    with conn:
        yield conn


@contextmanager
def _changed(conn: psycopg.Connection, sql: str, change: dict, undo: dict) -> Iterator[None]:
    conn.execute(_sql(sql), change)
    try:
        yield
    finally:
        conn.execute(_sql(sql), undo)


def _login(api: ApiProbe, email: str, password: str) -> str:
    try:
        return api.login(email, password)
    except ProbeError as exc:
        pytest.fail(f"{exc}; check {EMAIL} / {PASSWORD}", pytrace=False)


def _signs_in(api: ApiProbe, email: str, password: str) -> bool:
    """Does the login hand out a session for these credentials right now?"""
    try:
        api.login(email, password)
    except ProbeError:
        return False
    return True


def _read_route(api: ApiProbe, ops: list[Operation], cookie: str) -> Operation:
    """A platform read the probe user's session opens (the one re-sent after each change)."""
    for op in ops:
        if op.kind == "platform" and op.method == "GET" and not op.path_params and \
                op.readable() and api.call(op, op.url(inert=False), cookie=cookie).is_success:
            return op
    pytest.skip(f"not verified: no platform read answers 2xx to the session of the {EMAIL} "
                "user")


@pytest.mark.check(id="PM-106", severity="blocker", runbook="§4.2",
                   remediation="Re-read the session's user on every platform request (or keep "
                               "a session version bumped on every change): refuse the cookie "
                               "(401 invalid_session) once the user is disabled or no longer "
                               "holds the platform admin right it signed in with.")
def test_pm106_a_session_ends_with_its_users_rights(target, evidence):
    """A disabled user's session, and a demoted admin's, is refused on the next request."""
    api = probe(target)
    email, password = required(target, EMAIL, PASSWORD)
    if not active_probes_allowed(target):
        pytest.skip("not verified: PM-106 disables a platform user for a moment; it does not "
                    "run in production unless SOLVEREIGN_ALLOW_ACTIVE_PROBES=true")
    ops = operations(api, evidence)
    problems: list[str] = []
    records: list[dict] = []
    with _writer(target) as conn:
        try:
            conn.execute(_sql("pm106_heal.sql"), {"email": email})
            rows = conn.execute(_sql("pm106_user_state.sql"), {"email": email}).fetchall()
        except psycopg.Error as exc:
            pytest.skip(f"not verified: cannot read or change core.users: "
                        f"{str(exc).splitlines()[0]}")
        if not rows or not rows[0][1]:
            pytest.skip(f"not verified: {email} is not an enabled platform user")
        user_id, _, admin = rows[0]
        cookie = _login(api, email, password)
        route = _read_route(api, ops, cookie)
        with _changed(conn, "pm106_set_disabled.sql", {"id": user_id, "disable": True},
                      {"id": user_id, "disable": False}):
            response = api.call(route, route.url(inert=False), cookie=cookie)
            signed_in = _signs_in(api, email, password)
        records.append(apiprobe.record(response, route, change="user disabled"))
        if response.status_code not in (401, 403):
            problems.append(f"{route.name} answered {responses.describe(response)} to the "
                            f"session of {email} after the user was disabled")
        if signed_in:
            problems.append(f"POST {apiprobe.LOGIN_PATH} signed {email} in while the user "
                            "was disabled")
        if admin:
            cookie = _login(api, email, password)
            with _changed(conn, "pm106_set_admin.sql", {"id": user_id, "admin": False},
                          {"id": user_id, "admin": True}):
                response = api.call(route, route.url(inert=False), cookie=cookie)
            records.append(apiprobe.record(response, route, change="admin revoked"))
            if response.status_code not in (401, 403):
                problems.append(f"{route.name} answered {responses.describe(response)} to the "
                                f"admin session of {email} after the user lost platform admin")
        else:
            evidence.note(f"{email} is not a platform admin: losing admin was not probed")
    evidence.data.update(user=email, route=route.name, probes=records)
    evidence.offenders = sorted({p.split(" answered ")[0].split(" signed ")[0]
                                 for p in problems})
    write_artifact(target, "auth_separation_test.json", "PM-106", {
        "title": "a session ends with its user's rights",
        "status": "FAIL" if problems else "PASS", "user": email, "probes": records,
        "problems": problems})
    assert not problems, offenders_message("ways a session outlives its user's rights", problems)

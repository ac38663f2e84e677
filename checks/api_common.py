"""What the gate's HTTP checks share: the probe of the target's API and its credentials.

Not a check module (no `test_` prefix). Missing configuration turns into the skips the
verdict understands: no API URL is "not applicable" (N/A), a missing credential is
"not verified" (WARN, never PASS). Credentials come from the target's settings:

| setting | used for |
|---|---|
| SOLVEREIGN_PROBE_API_KEY_A / _B | API keys of two different tenants (pack routes) |
| SOLVEREIGN_PROBE_TENANT_A / _B | their tenant ids (optional: else learned from /status) |
| SOLVEREIGN_PROBE_PLATFORM_EMAIL / _PASSWORD | a platform login (session cookie) |
| SOLVEREIGN_PUBLIC_PATHS | paths that answer without credentials (default: health, metrics, docs) |
| SOLVEREIGN_API_WAIT_SECONDS | bounded wait for health and the freeze (default 30) |
| SOLVEREIGN_ALLOW_ACTIVE_PROBES | `true` lets the probes that may write run against production |
| SOLVEREIGN_API_EXTRA_ROUTES | routes left out of the document: `METHOD /path,...` or `@FILE` |
| SOLVEREIGN_PROBE_PATH_VALUES | real path-parameter values for PM-103's retry: `name=value,...` |
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from checks.api_anonymous import OPEN, AnonymousProof
from cutover import release
from cutover.api import probe as apiprobe
from cutover.api import responses
from cutover.api.probe import ApiProbe, ProbeError
from cutover.settings import boolean

DEFAULT_WAIT = 30.0
EXTRA_ROUTES = "SOLVEREIGN_API_EXTRA_ROUTES"
PATH_VALUES = "SOLVEREIGN_PROBE_PATH_VALUES"
ALLOW_ACTIVE = "SOLVEREIGN_ALLOW_ACTIVE_PROBES"
TENANT_IDS_SQL = Path(__file__).with_name("api_tenant_ids.sql")


def probe(target) -> ApiProbe:
    """A probe of the target's API; skipped as not applicable when no API URL is set."""
    if not target.api_url:
        pytest.skip("not applicable: no API URL configured (--api-url / SOLVEREIGN_API_URL)")
    return ApiProbe(target.api_url)


def setting(target, name: str) -> str | None:
    return target.setting(name) or None


def required(target, *names: str) -> list[str]:
    """The settings' values; a missing one makes the check 'not verified'."""
    missing = [n for n in names if not setting(target, n)]
    if missing:
        pytest.skip(f"not verified: {', '.join(missing)} not set")
    return [str(setting(target, n)) for n in names]


def wait_seconds(target) -> float:
    raw = setting(target, "SOLVEREIGN_API_WAIT_SECONDS")
    try:
        return float(raw) if raw else DEFAULT_WAIT
    except ValueError:
        pytest.fail(f"SOLVEREIGN_API_WAIT_SECONDS must be a number (got {raw!r})", pytrace=False)


def public_paths(target) -> tuple[str, ...]:
    return apiprobe.split_setting(setting(target, "SOLVEREIGN_PUBLIC_PATHS")) \
        or apiprobe.PUBLIC_PATHS


def operations(api: ApiProbe, evidence) -> list[apiprobe.Operation]:
    """The documented operations; an API without a document fails the check."""
    try:
        ops = api.operations()
    except ProbeError as exc:
        evidence.offenders = ["/openapi.json"]
        pytest.fail(str(exc), pytrace=False)
    evidence.data["operations"] = [o.name for o in ops]
    return ops


def active_probes_allowed(target) -> bool:
    """Probes that may write run outside production, or where the operator allows them."""
    if not target.production:
        return True
    return boolean(ALLOW_ACTIVE, {ALLOW_ACTIVE: setting(target, ALLOW_ACTIVE) or ""})


def extra_routes(target) -> list[tuple[str, str]]:
    """SOLVEREIGN_API_EXTRA_ROUTES: inline `METHOD /path` entries or `@FILE`; a bad value
    fails the check with one line naming the setting."""
    raw = setting(target, EXTRA_ROUTES)
    if not raw:
        return []
    where = EXTRA_ROUTES
    if raw.strip().startswith("@"):
        path = Path(raw.strip()[1:]).expanduser()
        where = f"{EXTRA_ROUTES} file {path}"
        try:
            raw = path.read_text()
        except OSError as exc:
            pytest.fail(f"{where} cannot be read: {exc.strerror}", pytrace=False)
    try:
        return apiprobe.parse_routes(raw)
    except ValueError as exc:
        pytest.fail(f"{where}: {exc}", pytrace=False)


def all_routes(api: ApiProbe, target, evidence, cookie: str | None) -> list[apiprobe.Operation]:
    """Documented operations, plus the server's route table (where the target exposes one
    to the probe's platform session), plus configured extra routes: a route left out of the
    document answers requests all the same."""
    ops = operations(api, evidence)
    known = {o.name for o in ops}
    sources: dict[str, Any] = {"openapi": len(ops)}
    found: list[tuple[str, str, str]] = []
    if cookie is None:
        sources["route_table"] = "not read: no platform login configured"
    else:
        try:
            table = api.route_table(cookie)
            sources["route_table"] = len(table)
            found += [(m, p, "route table") for m, p in table]
        except ProbeError as exc:
            sources["route_table"] = f"not available: {exc}"
    configured = extra_routes(target)
    sources["configured"] = len(configured)
    found += [(m, p, "configured") for m, p in configured]
    added = []
    for method, path, source in found:
        op = apiprobe.undocumented(method, path, source)
        if method in apiprobe.HTTP_METHODS and op.name not in known:
            known.add(op.name)
            added.append(op)
    evidence.data["route_sources"] = sources
    evidence.data["undocumented_routes"] = [f"{o.name} ({o.spec['x-source']})" for o in added]
    return sorted(ops + added, key=lambda o: (o.path, apiprobe.HTTP_METHODS.index(o.method)))


def path_values(target) -> dict[str, str]:
    """SOLVEREIGN_PROBE_PATH_VALUES as {parameter: value}."""
    out = {}
    for entry in apiprobe.split_setting(setting(target, PATH_VALUES)) or ():
        name, sep, value = entry.partition("=")
        if not sep or not name.strip() or not value.strip():
            pytest.fail(f"{PATH_VALUES}: {entry!r} is not name=value", pytrace=False)
        out[name.strip()] = value.strip()
    return out


def db_tenant_ids(request) -> Callable[[], list[str]]:
    """Tenant ids through the gate's read-only database session, read on first use; an
    unreachable or unreadable database gives none (the route stays 'not proven')."""

    @functools.cache
    def read() -> list[str]:
        try:
            conn = request.getfixturevalue("gate_db")
        except pytest.fail.Exception:
            return []
        try:
            return [str(r[0]) for r in conn.execute(TENANT_IDS_SQL.read_text()).fetchall()]
        except psycopg.Error:
            return []

    return read


def anonymous_proof(api: ApiProbe, target, request, ops: list[apiprobe.Operation], *,
                    cookie: str | None = None, api_key: str | None = None) -> AnonymousProof:
    """The target's anonymous-access prover, with every source of real values it has."""
    return AnonymousProof(api, ops, cookie=cookie, api_key=api_key,
                          configured=path_values(target), tenant_ids=db_tenant_ids(request),
                          writes_allowed=active_probes_allowed(target))


def session_cookie(api: ApiProbe, target, *, required_: bool = True) -> str | None:
    """A platform session cookie from the probe login (None if optional and not configured)."""
    email, password = (setting(target, apiprobe.EMAIL), setting(target, apiprobe.PASSWORD))
    if not email or not password:
        if required_:
            pytest.skip(f"not verified: {apiprobe.EMAIL} / {apiprobe.PASSWORD} not set")
        return None
    try:
        return api.login(email, password)
    except ProbeError as exc:
        pytest.fail(f"{exc}; {login_hint(str(exc))}", pytrace=False)


def login_hint(error: str) -> str:
    """What to look at when the probe login failed: an API that lost its database (503
    database_unavailable, e.g. still pointing at a database a rollback swapped out) is not a
    wrong probe login."""
    if "database_unavailable" in error:
        return ("the API cannot reach its database: after a restore or rollback, redeploy or "
                "restart it on the restored database (SOLVEREIGN_REDEPLOY_COMMAND)")
    return f"check {apiprobe.EMAIL} / {apiprobe.PASSWORD}"


def offenders_message(what: str, offenders: list[str], cap: int = 20) -> str:
    """`N <what>: a; b; ...` naming every offending route (capped)."""
    more = f"; and {len(offenders) - cap} more" if len(offenders) > cap else ""
    return f"{len(offenders)} {what}: {'; '.join(offenders[:cap])}{more}"


def write_artifact(target, name: str, section: str | None, data: dict[str, Any]) -> Path:
    """Write (or merge one section into) an artifact JSON in target.artifacts_dir."""
    folder = Path(target.artifacts_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    doc: dict[str, Any] = {}
    if section is not None and path.exists():
        try:
            doc = json.loads(path.read_text())
        except ValueError:
            doc = {}
    if section is None:
        doc = data
    else:
        doc.setdefault("api_url", target.api_url)
        doc.setdefault("run_id", target.run_id)
        doc.setdefault("checks", {})[section] = data
        doc["verdict"] = "FAIL" if any(c.get("status") == "FAIL"
                                       for c in doc["checks"].values()) else "PASS"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(release.stamped(doc), indent=1, sort_keys=True, default=str))
    os.replace(tmp, path)
    return path


def anonymous_2xx(api: ApiProbe, op: apiprobe.Operation) -> bool:
    """Does the route answer 2xx with no credentials at all? (PM-103 owns that defect.)"""
    return api.call(op).is_success


def opens_anonymously(proof: AnonymousProof) -> Callable[[apiprobe.Operation], bool]:
    """`sweep`'s hand-over test: PM-103's proof that the route is open to anyone."""
    return lambda op: proof.judge(op).status == OPEN


def refused(response, error: str) -> bool:
    """401/403 with exactly the expected error code."""
    return response.status_code in (401, 403) and responses.error_of(response) == error


def sweep(api: ApiProbe, ops: list[apiprobe.Operation], error: str,
          attempts: list[tuple[str, dict[str, Any]]],
          open_anonymously: Callable[[apiprobe.Operation], bool] | None = None,
          ) -> tuple[list[str], list[dict], list[str]]:
    """Send each (op, credentials) attempt; (offenders, records, routes left to PM-103).

    `attempts` are (label, call() keywords), each tried on every operation; an operation whose
    answer is not the refusal `error` is an offender unless it is open with no credentials at
    all (`open_anonymously`, default: 2xx to an inert anonymous request): then its defect is
    a missing authentication, reported by PM-103.
    """
    open_anonymously = open_anonymously or (lambda op: anonymous_2xx(api, op))
    offenders, records, deferred = [], [], []
    for op in ops:
        for label, kwargs in attempts:
            response = api.call(op, **kwargs)
            ok = refused(response, error)
            records.append(apiprobe.record(response, op, credentials=label, refused=ok))
            if ok:
                continue
            if open_anonymously(op):
                deferred.append(op.name)
                break
            offenders.append(f"{op.name} with {label} answered {responses.describe(response)}")
            break
    return offenders, records, deferred

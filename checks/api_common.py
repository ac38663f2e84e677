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
| SOLVEREIGN_ALLOW_ACTIVE_PROBES | `true` lets the replay probe run against production |
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from cutover import apiprobe
from cutover.apiprobe import ApiProbe, ProbeError

DEFAULT_WAIT = 30.0


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
        pytest.fail(f"{exc}; check {apiprobe.EMAIL} / {apiprobe.PASSWORD}", pytrace=False)


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
    tmp.write_text(json.dumps(doc, indent=1, sort_keys=True, default=str))
    os.replace(tmp, path)
    return path


def anonymous_2xx(api: ApiProbe, op: apiprobe.Operation) -> bool:
    """Does the route answer 2xx with no credentials at all? (PM-103 owns that defect.)"""
    return api.call(op).is_success


def refused(response, error: str) -> bool:
    """401/403 with exactly the expected error code."""
    return response.status_code in (401, 403) and apiprobe.error_of(response) == error


def sweep(api: ApiProbe, ops: list[apiprobe.Operation], error: str,
          attempts: list[tuple[str, dict[str, Any]]]) -> tuple[list[str], list[dict],
                                                                list[str]]:
    """Send each (op, credentials) attempt; (offenders, records, routes left to PM-103).

    `attempts` are (label, call() keywords), each tried on every operation; an operation whose
    answer is not the refusal `error` is an offender unless it also answers 2xx with no
    credentials at all: then its defect is a missing authentication, reported by PM-103.
    """
    offenders, records, deferred = [], [], []
    for op in ops:
        for label, kwargs in attempts:
            response = api.call(op, **kwargs)
            ok = refused(response, error)
            records.append(apiprobe.record(response, op, credentials=label, refused=ok))
            if ok:
                continue
            if anonymous_2xx(api, op):
                deferred.append(op.name)
                break
            offenders.append(f"{op.name} with {label} answered {apiprobe.describe(response)}")
            break
    return offenders, records, deferred

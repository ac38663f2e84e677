"""PM-101: every platform route refuses a request carrying X-API-Key (`wrong_auth_method`)."""

from __future__ import annotations

import pytest

from checks.api_common import (
    anonymous_proof,
    offenders_message,
    opens_anonymously,
    operations,
    probe,
    required,
    session_cookie,
    sweep,
    write_artifact,
)
from cutover.api import probe as apiprobe

pytestmark = [pytest.mark.postmigration, pytest.mark.auth]


@pytest.mark.check(id="PM-101", severity="blocker", runbook="§4.2",
                   remediation="Platform endpoints must authenticate with the session cookie "
                               "only: reject any request that carries X-API-Key (401/403, "
                               "error wrong_auth_method) before looking at anything else.")
def test_pm101_platform_routes_refuse_api_keys(target, evidence, request):
    """A pack API key never opens a platform route, alone or next to a valid session."""
    api = probe(target)
    (key,) = required(target, apiprobe.KEY_A)
    ops = [o for o in operations(api, evidence) if o.kind == "platform"]
    assert ops, "the OpenAPI document lists no platform route under /api/v1/platform/"
    attempts: list[tuple[str, dict]] = [("X-API-Key", {"api_key": key})]
    cookie = session_cookie(api, target, required_=False)
    if cookie is not None:
        attempts.append(("X-API-Key and a valid session", {"api_key": key, "cookie": cookie}))
    else:
        evidence.note("no platform login configured: key-plus-session not probed")
    proof = anonymous_proof(api, target, request, operations(api, evidence), cookie=cookie)
    offenders, records, deferred = sweep(api, ops, "wrong_auth_method", attempts,
                                         opens_anonymously(proof))
    evidence.data.update(probes=records, left_to_pm103=deferred)
    evidence.offenders = offenders
    write_artifact(target, "auth_separation_test.json", "PM-101", {
        "title": "platform routes refuse X-API-Key", "status": "FAIL" if offenders else "PASS",
        "routes": [o.name for o in ops], "probes": records, "offenders": offenders})
    assert not offenders, offenders_message("platform routes do not refuse an API key "
                                            "with wrong_auth_method", offenders)

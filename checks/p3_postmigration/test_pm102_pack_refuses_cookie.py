"""PM-102: every pack route refuses a session cookie without an API key (`missing_api_key`)."""

from __future__ import annotations

import pytest

from checks.api_common import (
    anonymous_proof,
    offenders_message,
    opens_anonymously,
    operations,
    probe,
    session_cookie,
    setting,
    sweep,
    write_artifact,
)
from cutover.api import probe as apiprobe

pytestmark = [pytest.mark.postmigration, pytest.mark.auth]


@pytest.mark.check(id="PM-102", severity="blocker", runbook="§4.2",
                   remediation="Pack endpoints must authenticate with X-API-Key only: a "
                               "request without a key is refused (401, missing_api_key) "
                               "whatever cookie it carries.")
def test_pm102_pack_routes_refuse_session_cookies(target, evidence, request):
    """A platform session never opens a pack route: only a tenant's API key does."""
    api = probe(target)
    ops = [o for o in operations(api, evidence) if o.kind == "pack"]
    assert ops, "the OpenAPI document lists no pack route under /api/v1/routing|roster/"
    cookie = session_cookie(api, target)
    proof = anonymous_proof(api, target, request, operations(api, evidence),
                            api_key=setting(target, apiprobe.KEY_A))
    offenders, records, deferred = sweep(api, ops, "missing_api_key",
                                         [("a valid session cookie", {"cookie": cookie})],
                                         opens_anonymously(proof))
    evidence.data.update(probes=records, left_to_pm103=deferred)
    evidence.offenders = offenders
    write_artifact(target, "auth_separation_test.json", "PM-102", {
        "title": "pack routes refuse a session cookie", "status": "FAIL" if offenders else "PASS",
        "routes": [o.name for o in ops], "probes": records, "offenders": offenders})
    assert not offenders, offenders_message("pack routes do not refuse a session cookie "
                                            "with missing_api_key", offenders)

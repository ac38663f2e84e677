"""PM-103: no route answers 2xx without credentials (health, metrics, docs and login aside)."""

from __future__ import annotations

import pytest

from checks.api_common import offenders_message, operations, probe, public_paths, write_artifact
from cutover import apiprobe

pytestmark = [pytest.mark.postmigration, pytest.mark.auth]


@pytest.mark.check(id="PM-103", severity="blocker", runbook="§4.2",
                   remediation="Put the route behind its pack's (X-API-Key) or the platform's "
                               "(session) authentication; only health, metrics and the API "
                               "document are public.")
def test_pm103_no_route_answers_without_credentials(target, evidence):
    """Every documented operation outside the public list refuses an anonymous request."""
    api = probe(target)
    public = public_paths(target)
    ops = [o for o in operations(api, evidence) if not apiprobe.is_public(o, public)]
    records, offenders = [], []
    for op in ops:
        response = api.call(op)
        records.append(apiprobe.record(response, op))
        if response.is_success:
            offenders.append(f"{op.name} answered {apiprobe.describe(response)}")
    evidence.data.update(public=list(public), probes=records)
    evidence.offenders = offenders
    write_artifact(target, "auth_separation_test.json", "PM-103", {
        "title": "no route answers without credentials",
        "status": "FAIL" if offenders else "PASS", "public": list(public),
        "probes": records, "offenders": offenders})
    assert not offenders, offenders_message("routes answer without credentials", offenders)

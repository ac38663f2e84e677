"""FZ-002: while writes are frozen, reads keep working (the freeze is not an outage)."""

from __future__ import annotations

import pytest

from checks.api_common import (
    offenders_message,
    operations,
    probe,
    required,
    session_cookie,
)
from cutover.api import probe as apiprobe
from cutover.api import responses

pytestmark = [pytest.mark.freeze, pytest.mark.health, pytest.mark.postrollback]


@pytest.mark.check(id="FZ-002", severity="blocker", runbook="§2.2",
                   remediation="The freeze must refuse writes only: check that read routes "
                               "do not consult the write flag and that the database and "
                               "config store answer.")
def test_fz002_reads_keep_working(target, evidence):
    """/health and every documented pack and platform read answer 2xx during the freeze."""
    api = probe(target)
    (key,) = required(target, apiprobe.KEY_A)
    cookie = session_cookie(api, target, required_=False)
    reads = [o for o in operations(api, evidence) if o.method == "GET"
             and o.kind in ("pack", "platform") and not o.path_params and o.readable()]
    records, offenders = [], []
    status, body = api.get_json("/health")
    if status != 200:
        offenders.append(f"GET /health answered HTTP {status}")
    for op in reads:
        if op.kind == "platform" and cookie is None:
            continue
        creds = {"api_key": key} if op.kind == "pack" else {"cookie": cookie}
        response = api.call(op, op.url(inert=False), **creds)
        records.append(apiprobe.record(response, op))
        if not response.is_success:
            offenders.append(f"{op.name} answered {responses.describe(response)}")
    evidence.data.update(health=body, probes=records)
    evidence.offenders = offenders
    assert not offenders, offenders_message("reads fail during the freeze", offenders)

"""PM-090: the ACL scan (PUBLIC privileges on every object kind) is empty; writes
acl_scan_report.json."""

import pytest

from cutover.evidence.bundle import write_json
from cutover.gate.aclscan import scan

pytestmark = [pytest.mark.postmigration, pytest.mark.acl]


@pytest.mark.check(id="PM-090", severity="blocker", runbook="§3.5",
                   remediation="REVOKE the listed privileges FROM PUBLIC (025f does it for the "
                               "known objects; a finding here is an object added since).")
def test_pm090_acl_scan_is_empty(gate_db, gate_binding, target, evidence):
    """The widened runbook query finds nothing."""
    report = scan(gate_db)
    report["target"] = gate_binding  # the database this report judged (approval checks it)
    write_json(target.artifacts_dir / "acl_scan_report.json", report)
    found = report["findings"]
    evidence.offenders = [f"{f['kind']} {f['object']}" for f in found]
    evidence.data["findings"] = len(found)
    assert not found, f"{len(found)} PUBLIC privileges: " + "; ".join(
        f"{f['kind']} {f['object']} ({f['privileges']})" for f in found[:20])

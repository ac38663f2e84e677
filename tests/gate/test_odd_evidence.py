"""One check's odd evidence never costs the whole verdict.

A check once keyed its evidence by a catalog value that came back NULL (PM-003's per-tenant
counts, a row with no tenant); the sorted JSON dump of the verdict raised on the None key and
the gate wrote no verdict at all. The gate now writes every mapping key as a string.
"""

from __future__ import annotations

import json

from tests.gate.scratch import run_pytest, scratch_checks

CHECK = '''
import pytest
pytestmark = [pytest.mark.postmigration, pytest.mark.security]
@pytest.mark.check(id="ZZ-010", severity="blocker", remediation="r", runbook="§0")
def test_zz010_odd_keys(evidence):
    evidence.data["tenants"] = {None: [0, 1], "wien_pilot": [3, 3], 7: [1, 1]}
'''


def test_evidence_keyed_by_none_still_gives_a_verdict(tmp_path):
    out = tmp_path / "gate.json"
    folder = scratch_checks(tmp_path, {"test_zz010_odd_keys.py": CHECK})
    proc = run_pytest(folder, "-q", "-p", "no:randomly", "--gate-result", str(out))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["verdict"] == "PASS"
    (check,) = result["checks"]
    assert check["evidence"]["data"]["tenants"] == {"null": [0, 1], "wien_pilot": [3, 3],
                                                    "7": [1, 1]}

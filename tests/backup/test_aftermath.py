"""The rehearsal's aftermath drill (issue 22.4): after enable a REPLAY_ATTACK is injected,
`cutover watch --on-trigger rollback` rolls back by itself, and the bundle records the drill
and its timings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cutover.evidence import bundle as evidence
from cutover.evidence import keys

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_rehearsal_runs_the_aftermath_drill(rehearsal_bundle):
    bundle = rehearsal_bundle  # one `cutover rehearse` per session (tests/conftest.py)
    drill = json.loads((bundle / "aftermath_drill.json").read_text())
    assert drill["verdict"] == "PASS", drill["problems"]
    assert drill["watch_exit"] == 2 and drill["incident_sealed"] is True
    assert drill["notifications"] == ["trigger_fired", "rollback_done"]
    assert all(c["ok"] for c in drill["restored"])
    assert {c["name"] for c in drill["restored"]} >= {"ledger head", "sequences",
                                                      "rollback: verify restored database"}
    timings = drill["timings"]
    assert 0 < timings["event_to_writes_disabled_s"] <= timings["event_to_restored_s"] \
        <= timings["event_to_writes_enabled_s"]
    summary = evidence.load_summary(bundle)
    assert summary["aftermath"] == timings
    assert summary["phases"]["aftermath_drill"]["outcome"] == "PASS"
    incident = Path(drill["incident"])
    record = json.loads((incident / "incident_record.json").read_text())
    assert record["severity"] == "S0" and record["outcome"] == "rolled back"
    pub = next(bundle.parent.glob("evidence_keys_*/evidence_signing.pub"))
    key = keys.verifying_key(pub)
    assert evidence.verify(incident, key).ok and evidence.verify(bundle, key).ok

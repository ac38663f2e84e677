"""A whole rehearsal's evidence names the tool that wrote it (issue 21.2): every JSON object
in the bundle and beside it (the aftermath incident folder) carries `tool` with this
package's version, whichever writer made it (the gate's pytest, the checks, the runbook
steps, approve, enable, last-known-good, the rollback's incident record)."""

from __future__ import annotations

import json
from importlib import metadata

from cutover.runbook.artifacts import RUNBOOK_ARTIFACTS

TOOL = {"name": "solvereign-cutover", "version": metadata.version("solvereign-cutover")}
ARRAYS = {"security_events.json"}  # a JSON array by format: no room for a field
WRITERS = {  # one file of each writer, that must be among those checked
    *(name for name in RUNBOOK_ARTIFACTS if name.endswith(".json")),
    "freeze_record.json", "backup_manifest.json", "migration_log.json", "smoke_result.json",
    "roster_gate_result.json", "enable_record.json", "last_known_good.json",
    "rollback_drill.json", "incident_record.json",
}


def test_every_json_file_of_the_rehearsal_records_the_tool(rehearsal_bundle):
    checked, missing = set(), []
    for path in sorted(rehearsal_bundle.parent.rglob("*.json")):
        doc = json.loads(path.read_text())
        where = path.relative_to(rehearsal_bundle.parent)
        if path.name in ARRAYS:
            assert isinstance(doc, list), where
            continue
        checked.add(path.name)
        if not isinstance(doc, dict) or doc.get("tool") != TOOL:
            missing.append(f"{where}: {doc.get('tool') if isinstance(doc, dict) else 'array'}")
    assert not missing, "\n".join(missing)
    assert not WRITERS - checked, sorted(WRITERS - checked)

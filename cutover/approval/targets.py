"""Do a bundle's artifacts judge one and the same database, in one state? (issue 24.1)

Each artifact that judged the database names it (cutover.approval.binding): the gate verdicts
(`target.database` when the gate session opened, `target.database_after` when it closed),
migration_log.json, verify_hardening.json, acl_scan_report.json and roster_dry_run.json
(`target`), the backup manifest (`database`, `ledger_head`). The rules:

* every artifact names the same cluster (system_identifier) and database;
* everything judged after the migrations names the same ledger head and schema fingerprint
  as migration_log.json, and did not move while it was judged;
* the migrations started where the backup was taken, which is where the preflight judged;
* drill verdicts judged before the migrations stand only as drills_confirmation.json
  confirms them on the migrated database (cutover.approval.drills).

A gate re-run into the bundle against another --db-url (a stale SOLVEREIGN_DB_URL, a twin
database of the same cluster) or after one more migration breaks one of these.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cutover.approval import drills
from cutover.approval.binding import FIELDS, IDENTITY, Binding, differences

REFERENCE = "migration_log.json"
# artifact → (where its binding is, whether it must have one, what must match the reference)
POST = {"security_gate_result.json": True, "verify_hardening.json": True,
        "acl_scan_report.json": False, "smoke_result.json": False}
IDENTITY_ONLY = {"roster_dry_run.json": False, "roster_gate_result.json": False}
PRE_GATE = "preflight_result.json"
BACKUP = "backup_manifest.json"


def _doc(folder: Path, name: str) -> dict | None:
    try:
        doc = json.loads((folder / name).read_text())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _bindings(doc: dict) -> tuple[Any, Any]:
    """(as judged, as it was when the judgement ended) from a gate verdict or an artifact."""
    target = doc.get("target") if isinstance(doc.get("target"), dict) else {}
    if "database" in target and "system_identifier" not in target:  # a gate verdict
        return target.get("database"), target.get("database_after", target.get("database"))
    return target or None, doc.get("target_after", target or None)


def _named(name: str, raw: Any, required: bool, problems: list[str]) -> Binding | None:
    found = Binding.from_doc(raw)
    if found is None and (required or raw is not None):
        why = f" ({raw})" if isinstance(raw, str) else ""
        problems.append(f"{name} names no target database{why}")
    return found


def judged_target(folder: Path) -> tuple[Binding | None, list[str]]:
    """(the one binding every artifact judged, every disagreement found)."""
    folder = Path(folder)
    problems: list[str] = []
    ref_doc = _doc(folder, REFERENCE) or {}
    ref = _named(REFERENCE, ref_doc.get("target"), True, problems)
    if ref is None:
        return None, problems
    for name, required in {**POST, **IDENTITY_ONLY}.items():
        doc = _doc(folder, name)
        if doc is None:
            if required:
                problems.append(f"{name} is missing or not JSON")
            continue
        start_raw, end_raw = _bindings(doc)
        start = _named(name, start_raw, required, problems)
        if start is None:
            continue
        fields = FIELDS if name in POST else IDENTITY
        problems += [f"{name} judged another target than {REFERENCE}: {d}"
                     for d in differences(ref, start, fields)]
        end = Binding.from_doc(end_raw)
        if end is not None:
            problems += [f"{name}: the target moved while it was judged: {d}"
                         for d in differences(start, end)]
    problems += _before_migrations(folder, ref, ref_doc)
    problems += drills.confirmation_problems(ref, _doc(folder, drills.ROSTER),
                                             _doc(folder, drills.SICK_CALL),
                                             _doc(folder, drills.CONFIRMATION))
    return ref, problems


def _before_migrations(folder: Path, ref: Binding, ref_doc: dict) -> list[str]:
    """The backup and the preflight judged this database, at the head the migrations
    started from."""
    problems: list[str] = []
    manifest = _doc(folder, BACKUP) or {}
    db = manifest.get("database") if isinstance(manifest.get("database"), dict) else {}
    if not db:
        problems.append(f"{BACKUP} names no database")
    else:
        backed = Binding(str(db.get("system_identifier")), str(db.get("name")),
                         manifest.get("ledger_head"), "")
        problems += [f"{BACKUP} is of another database: {d}"
                     for d in differences(ref, backed, IDENTITY)]
        if ref_doc.get("from_head") != backed.ledger_head:
            problems.append(f"the migrations started at {ref_doc.get('from_head')}, the backup "
                            f"was taken at {backed.ledger_head}")
    pre = _doc(folder, PRE_GATE)
    if pre is None:
        return [*problems, f"{PRE_GATE} is missing or not JSON"]
    start_raw, end_raw = _bindings(pre)
    start = _named(PRE_GATE, start_raw, True, problems)
    if start is not None:
        problems += [f"{PRE_GATE} judged another database: {d}"
                     for d in differences(ref, start, IDENTITY)]
        if start.ledger_head != ref_doc.get("from_head"):
            problems.append(f"{PRE_GATE} judged ledger head {start.ledger_head}, the migrations "
                            f"started at {ref_doc.get('from_head')}")
        end = Binding.from_doc(end_raw)
        if end is not None:
            problems += [f"{PRE_GATE}: the target moved while it was judged: {d}"
                         for d in differences(start, end)]
    return problems

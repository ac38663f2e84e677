"""The runbook's §6.1 go/no-go checklist, judged from the artifacts of a bundle.

One definition serves the approval command (which refuses while a blocker is not PASS)
and the HTML report (which shows each item with its evidence), so what the approver is
shown and what the approval enforces cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PASS, WARN, FAIL, MISSING = "PASS", "WARN", "FAIL", "MISSING"
_NORMAL = {"PASS": PASS, "SUCCESS": PASS, "OK": PASS, "WARN": WARN, "FAIL": FAIL,
           "FAILED": FAIL, "FAILURE": FAIL}


@dataclass(frozen=True)
class Item:
    """One checklist line: what it asks, which artifact answers, whether it blocks."""

    key: str
    title: str
    artifact: str
    blocker: bool
    judge: Callable[[dict], tuple[str, str]]


@dataclass(frozen=True)
class Judged:
    """An item with its status and a one-line summary of its evidence."""

    item: Item
    status: str
    summary: str

    @property
    def blocking(self) -> bool:
        return self.item.blocker and self.status != PASS


def _verdict(doc: dict) -> tuple[str, str]:
    """The artifact's own verdict field, normalised."""
    for key in ("verdict", "gate_status", "status", "result"):
        value = doc.get(key)
        if isinstance(value, str) and value.upper() in _NORMAL:
            counts = doc.get("counts") or {}
            tally = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
            waived = waived_checks(doc)
            if waived:  # a PASS that holds only through waivers says so, here too
                tally += f"; {len(waived)} of them WAIVED: " + ", ".join(waived[:8])
            return _NORMAL[value.upper()], f"{key} {value}" + (f" ({tally})" if tally else "")
    return FAIL, "no verdict in the artifact"


def waived_checks(doc: dict) -> list[str]:
    """'CHECK object' for every waiver a gate verdict document says it applied."""
    checks = doc.get("checks") if isinstance(doc.get("checks"), list) else []
    return [f"{c.get('check_id')} {w.get('object')}" for c in checks if isinstance(c, dict)
            for w in (c.get("waivers") or []) if isinstance(w, dict)]


def _hardening(doc: dict) -> tuple[str, str]:
    rows = doc.get("rows", [])
    failing = [r.get("check_name") for r in rows if r.get("status") != "PASS"]
    if not rows:
        return FAIL, "no rows from verify_final_hardening()"
    if failing:
        return FAIL, f"{len(failing)} of {len(rows)} FAIL: {', '.join(map(str, failing[:8]))}"
    return PASS, f"all {len(rows)} checks PASS"


def _acl(doc: dict) -> tuple[str, str]:
    findings = doc.get("findings", doc.get("rows"))
    if not isinstance(findings, list):
        return FAIL, "no findings list in the report"
    if findings:
        return FAIL, f"{len(findings)} PUBLIC grants remain"
    return PASS, "no PUBLIC grants on any application object"


def _migrations(doc: dict) -> tuple[str, str]:
    status, summary = _verdict(doc)
    head = doc.get("head")
    return status, f"ledger head {head}; {summary}"


def _backup(doc: dict) -> tuple[str, str]:
    """The backup manifest: verified with pg_restore --list, with a sha256 of the dump."""
    dump = doc.get("dump") if isinstance(doc.get("dump"), dict) else {}
    sha = dump.get("sha256") or doc.get("sha256")
    ok = bool(doc.get("verified")) and bool(sha)
    name = dump.get("file") or doc.get("path", "?")
    return (PASS if ok else FAIL), f"{name} sha256 {str(sha)[:12]}"


def _freeze(doc: dict) -> tuple[str, str]:
    ok = doc.get("writes_disabled") is True and doc.get("verified") is True
    return (PASS if ok else FAIL), f"proven at {doc.get('proven_at')}" if ok else \
        "writes not proven frozen through the application"


ITEMS: list[Item] = [
    Item("preflight", "Preflight passed (§1–§3.1)", "preflight_result.json", True, _verdict),
    Item("freeze", "Writes frozen and proven through the application (§2.1)",
         "freeze_record.json", True, _freeze),
    Item("backup", "Backup taken and verified (§2.4)", "backup_manifest.json", True, _backup),
    Item("migrations", "Migrations 025..025f applied (§3.2)", "migration_log.json", True,
         _migrations),
    Item("hardening", "verify_final_hardening() all PASS (§3.4)", "verify_hardening.json", True,
         _hardening),
    Item("acl", "ACL scan empty (§3.5)", "acl_scan_report.json", True, _acl),
    Item("security_gate", "Security gate PASS (§4)", "security_gate_result.json", True, _verdict),
    Item("health", "Health check PASS (§4.2)", "health_check.json", True, _verdict),
    Item("auth", "Auth separation PASS (§4.3)", "auth_separation_test.json", True, _verdict),
    Item("roster", "Roster dry run PASS (§5.1)", "roster_dry_run.json", True, _verdict),
    Item("drill", "Sick-call drill PASS (§5.2)", "ops_drill_sick_call.json", False, _verdict),
]


def judge(folder: Path) -> list[Judged]:
    """Every checklist item judged from the bundle; a missing artifact is MISSING."""
    out = []
    for item in ITEMS:
        path = Path(folder) / item.artifact
        if not path.exists():
            out.append(Judged(item, MISSING, f"{item.artifact} not in the bundle"))
            continue
        try:
            doc = json.loads(path.read_text())
        except ValueError as exc:
            out.append(Judged(item, FAIL, f"{item.artifact} is not valid JSON ({exc})"))
            continue
        status, summary = item.judge(doc if isinstance(doc, dict) else {})
        out.append(Judged(item, status, summary))
    return out

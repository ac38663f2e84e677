"""The incident record every rollback leaves (runbook §9.3, docs/artifacts.md).

incident_record.json (+ a readable incident_record.md) in the rollback's own evidence
directory: what triggered it and how severe, the timeline (first bad sample, decision,
writes disabled, restore done, gate result, writes enabled), the rollback target (release
sha, backup manifest), the evidence captured (the watch's samples, the security events of
the window, a metrics scrape, the failing check results), the notifications sent, and for
a rollback that failed part-way which step failed and what state the database is in. The
directory is then sealed like a cutover bundle, so `cutover evidence verify` checks it.

Evidence is captured before the restore: the restore replaces the database that holds
the window's security events.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg

from cutover.errors import CutoverError
from cutover.evidence import bundle
from cutover.evidence import keys as evidence_keys
from cutover.evidence.bundle import write_json
from cutover.pg.pinned import connect_pinned
from cutover.pg.url import mask_text

RECORD_JSON, RECORD_MD = "incident_record.json", "incident_record.md"
EVENTS_FILE, SCRAPE_FILE, SAMPLES_FILE = ("security_events.json", "metrics_scrape.txt",
                                          "watch_samples.jsonl")
EVENTS_SQL = Path(__file__).with_name("incident_security_events.sql")
MANUAL_WINDOW = timedelta(hours=1)  # a rollback by hand: the hour before it started
# step of the rollback (cutover.rollback.procedure) → the timeline entry its completion is
TIMELINE_STEPS = {"disable writes": "writes_disabled", "verify live database": "restore_done",
                  "post-rollback gate": "gate_result", "enable writes": "writes_enabled"}
_BEFORE_SWAP = ("dump checksum", "database identity", "disable writes", "restore",
                "verify restored database")


@dataclass
class Incident:
    """One rollback's incident, filled in as it runs."""

    folder: Path
    trigger: str
    severity: str
    decided_at: str
    first_bad_sample: str | None = None
    since: str | None = None  # start of the window (the watch's start)
    watch_log: Path | None = None
    journal: list[dict] = field(default_factory=list)
    notifications: list[dict] = field(default_factory=list)
    captured: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)

    def window_start(self) -> datetime:
        if self.since:
            return datetime.fromisoformat(self.since)
        return datetime.fromisoformat(self.decided_at) - MANUAL_WINDOW


def capture(incident: Incident, admin_target_url: str, metrics_url: str | None) -> None:
    """The evidence the restore would destroy or the moment would lose; each source that
    cannot be read is recorded as such, never fatal to the rollback."""
    folder = incident.folder
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with connect_pinned(admin_target_url, "cutover-incident") as conn:
            rows = conn.execute(EVENTS_SQL.read_text(),  # type: ignore[arg-type]
                                {"since": incident.window_start()}).fetchall()
        keys = ("id", "created_at", "event_type", "severity", "tenant_id", "db_user", "details")
        write_json(folder / EVENTS_FILE, [dict(zip(keys, r, strict=True)) for r in rows])
        incident.captured["security_events"] = f"{EVENTS_FILE} ({len(rows)} rows)"
    except (CutoverError, psycopg.Error) as exc:
        incident.captured["security_events"] = "not captured: " + mask_text(
            str(exc).splitlines()[0] if str(exc) else type(exc).__name__, incident.secrets)
    if metrics_url:
        try:
            resp = httpx.get(metrics_url, timeout=5.0)
            (folder / SCRAPE_FILE).write_text(resp.text)
            incident.captured["metrics_scrape"] = f"{SCRAPE_FILE} (HTTP {resp.status_code})"
        except httpx.HTTPError as exc:
            incident.captured["metrics_scrape"] = f"not captured: {type(exc).__name__}"
    if incident.watch_log and incident.watch_log.is_file():
        shutil.copyfile(incident.watch_log, folder / SAMPLES_FILE)
        incident.captured["watch_samples"] = SAMPLES_FILE


def database_state(failed_step: str | None, writes_disabled: bool) -> str:
    """What the live database is, from where the rollback stopped."""
    if failed_step is None:
        return "restored from the backup and live; writes enabled"
    writes = "writes remain DISABLED" if writes_disabled else "writes were not touched"
    if failed_step in _BEFORE_SWAP:
        return f"unchanged: the post-cutover database is still live ({writes})"
    if failed_step == "swap in":
        return ("unknown whether the swap committed: re-run the rollback, which recognises a "
                f"completed swap ({writes})")
    return f"restored from the backup and live, but not released ({writes})"


def _timeline(incident: Incident) -> list[dict]:
    out = []
    if incident.first_bad_sample:
        out.append({"event": "first_bad_sample", "at": incident.first_bad_sample})
    out.append({"event": "decision", "at": incident.decided_at})
    for step in incident.journal:
        name = TIMELINE_STEPS.get(step["step"])
        if name and step.get("ok") is not None:
            entry = {"event": name, "at": step.get("finished_at"), "ok": step["ok"]}
            if name == "gate_result":
                entry["result"] = "PASS" if step["ok"] else "FAIL"
            out.append(entry)
    return out


def record(incident: Incident, *, outcome: str, target: dict, failed_step: str | None = None,
           failure: str | None = None, writes_disabled: bool = True,
           failing_checks: list[str] | None = None) -> dict:
    """Write incident_record.json and .md; returns the record."""
    doc = {
        "run_id": incident.folder.name, "trigger": incident.trigger,
        "severity": incident.severity, "outcome": outcome,
        "timeline": _timeline(incident), "rollback_target": target,
        "steps": incident.journal,
        "failed_step": failed_step, "failure": failure,
        "database_state": database_state(failed_step, writes_disabled),
        "captured_evidence": {**incident.captured,
                              "failing_checks": failing_checks or []},
        "notifications": incident.notifications,
        "written_at": datetime.now(UTC).isoformat(),
    }
    write_json(incident.folder / RECORD_JSON, doc)
    (incident.folder / RECORD_MD).write_text(markdown(doc))
    return doc


def markdown(doc: dict) -> str:
    """The readable record (same facts as the JSON)."""
    lines = [f"# Incident record {doc['run_id']}", "",
             f"- trigger: {doc['trigger']}", f"- severity: {doc['severity']}",
             f"- outcome: {doc['outcome']}", f"- database state: {doc['database_state']}"]
    if doc["failed_step"]:
        lines.append(f"- failed step: {doc['failed_step']}: {doc['failure']}")
    lines += ["", "## Timeline", ""]
    lines += [f"- {t['at']} {t['event']}" + (f" ({t['result']})" if "result" in t else "")
              + ("" if t.get("ok", True) else " FAILED") for t in doc["timeline"]]
    lines += ["", "## Rollback target", ""]
    lines += [f"- {k}: {v}" for k, v in doc["rollback_target"].items()]
    lines += ["", "## Captured evidence", ""]
    lines += [f"- {k}: {json.dumps(v) if isinstance(v, list) else v}"
              for k, v in doc["captured_evidence"].items()]
    lines += ["", "## Notifications", ""]
    lines += [f"- {n['event']}: " + ("sent" if n.get("sent") else
                                     n.get("error") or n.get("skipped", "not sent"))
              for n in doc["notifications"]] or ["- none configured"]
    return "\n".join(lines) + "\n"


def seal(folder: Path) -> str:
    """Seal the directory like a cutover bundle; why not, when no signing key is set."""
    key = evidence_keys.signing_key(required=False)
    if key is None:
        return f"not sealed: {evidence_keys.SIGNING_KEY_VAR} is not set"
    bundle.seal(folder, key, kind="incident")
    return "sealed"

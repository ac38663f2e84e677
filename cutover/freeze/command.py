"""`cutover freeze` and `cutover enable` end to end (runbook §2.1, §7.1): the approval
enabling needs, the switch and its proof (cutover.freeze.writes), the record in the bundle.

Everything that can refuse does so before the flag is touched: a missing approval, a live
database that is not what was approved, a sealed bundle this process cannot re-seal.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cutover import settings
from cutover.approval import record as approval
from cutover.errors import ConfigError
from cutover.evidence import bundle as evidence
from cutover.evidence import keys, report
from cutover.evidence.bundle import write_json
from cutover.evidence.reseal import require_reseal_key, reseal_after_writing
from cutover.freeze.writes import API_URL_VAR, PROOF_TIMEOUT, switch_writes, window_seconds
from cutover.rollback import notify


@dataclass(frozen=True)
class SwitchRequest:
    """One `cutover freeze` (disabled) or `cutover enable` as its flags gave it."""

    disabled: bool
    api_url: str | None = None  # default: $SOLVEREIGN_API_URL
    verify: bool = True
    timeout: float = PROOF_TIMEOUT
    artifacts_dir: Path | None = None
    override_approval: str | None = None  # enable only
    db_url: str | None = None  # enable only; default: $SOLVEREIGN_DB_URL


def _approval(req: SwitchRequest) -> dict:
    """Enabling needs the approval of the current bundle, or a recorded override."""
    if req.override_approval is not None:
        if not req.override_approval.strip():
            raise ConfigError("--override-approval needs a reason")
        return {"override": req.override_approval.strip()}
    bundle = req.artifacts_dir or approval.latest_bundle()
    if bundle is None:
        raise approval.ApprovalRefused("no evidence bundle to check an approval in "
                                       "(give --artifacts-dir, or --override-approval REASON)")
    record = approval.require_approval(bundle, keys.verifying_key())
    print(f"approval by {record['approver']} at {record['timestamp']} holds for {bundle}")
    db_url = req.db_url or os.environ.get("SOLVEREIGN_DB_URL")
    if not db_url:
        raise approval.ApprovalRefused(
            "enable re-reads the live database before writes come back: give --db-url or "
            "SOLVEREIGN_DB_URL (or --override-approval REASON)")
    live = approval.require_live_target(record.get("target"), settings.db_url(db_url))
    print(f"the live database is what was approved: {live.describe()}; no migration running")
    return {"approved_by": record["approver"], "bundle": str(bundle),
            "target": live.as_dict()}


def _record_folder(req: SwitchRequest, granted: dict | None) -> Path | None:
    """Where the record goes: --artifacts-dir; for enable, else the approved bundle, and an
    override is always recorded somewhere (artifacts/enable_<timestamp>)."""
    if req.artifacts_dir or granted is None:
        return req.artifacts_dir
    if "bundle" in granted:
        return Path(granted["bundle"])
    return Path("artifacts") / f"enable_{datetime.now(UTC):%Y%m%dT%H%M%SZ}"


def _record_enable(folder: Path, granted: dict, sent: dict | None = None) -> None:
    """Add who allowed it (and the `enabled` notification's outcome) to enable_record.json;
    re-seal a sealed bundle so it still verifies."""
    path = folder / "enable_record.json"
    doc = json.loads(path.read_text())
    doc["approval"] = granted
    if sent is not None:
        doc["notification"] = sent
    write_json(path, doc)
    print(f"recorded in {path}")
    if (folder / evidence.SUMMARY).exists():
        window = _close_window(evidence.load_summary(folder), doc.get("flag_set_at"))
        reseal_after_writing(folder, [path.name], writes_disabled=window,
                             writes_enabled={"at": doc.get("flag_set_at"), "approval": granted})
        if (folder / report.REPORT).exists():
            report.write(folder, keys.verifying_key(required=False))


def _close_window(summary: dict, enabled_at: str | None) -> dict:
    """The writes-disabled window, ended when writes came back (its length in seconds)."""
    window = dict(summary.get("writes_disabled") or {})
    if enabled_at and window.get("from") and not window.get("to"):
        window["to"] = enabled_at
        window["seconds"] = window_seconds(window["from"], enabled_at)
    return window


def run(req: SwitchRequest) -> int:
    """Switch writes off (freeze) or on (enable, approved), prove it, record it; prints
    `WRITES FROZEN|ENABLED` and returns 0 (a refusal or failed proof raises)."""
    granted = None if req.disabled else _approval(req)
    folder = _record_folder(req, granted)
    if granted is not None:  # writes come back only with their approval recorded
        require_reseal_key(folder, "enable")
    record = switch_writes(req.disabled, api_url=req.api_url or os.environ.get(API_URL_VAR),
                           verify=req.verify, timeout=req.timeout, artifacts_dir=folder)
    sent = None
    if not req.disabled:
        where = folder.resolve() if folder is not None else Path.cwd()
        sent = notify.send("enabled", where.name, "info", str(where), "writes enabled")
    if granted is not None and folder is not None:
        _record_enable(folder, granted, sent)
    state = "FROZEN" if req.disabled else "ENABLED"
    print(f"WRITES {state}" + ("" if record.verified else
                               " (not verified: --no-verify, the application was not asked)"))
    return 0

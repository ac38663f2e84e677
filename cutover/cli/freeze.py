"""`cutover freeze` and `cutover enable` (README.md, runbook §2.1 and §7.1)."""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from cutover import argtypes, settings
from cutover.approval import record as approval
from cutover.cli.evidence import require_reseal_key, reseal_after_writing
from cutover.errors import ConfigError
from cutover.evidence import bundle as evidence
from cutover.evidence import keys, report
from cutover.evidence.bundle import write_json
from cutover.freeze.writes import (
    API_URL_VAR,
    PROBE_KEY_VAR,
    PROOF_TIMEOUT,
    switch_writes,
    window_seconds,
)
from cutover.rollback import notify


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `freeze` and `enable`."""
    for name, text in (("freeze", "disable platform writes, then prove it"),
                       ("enable", "enable platform writes again, then prove it")):
        p = subparsers.add_parser(name, help=text)
        p.add_argument("--api-url", help="application to prove it through (default: "
                                         f"${API_URL_VAR}; the proof also needs "
                                         f"${PROBE_KEY_VAR}; one missing: exit 2, flag "
                                         "untouched)")
        p.add_argument("--no-verify", action="store_true",
                       help="set the flag without proving it (a store with no application "
                            "behind it); the output and the record say the proof was skipped")
        p.add_argument("--timeout", type=argtypes.positive_float, default=PROOF_TIMEOUT,
                       help="seconds to wait for the application to follow the flag "
                            "(default: %(default)s)")
        record_default = ("the approved bundle; with --override-approval "
                          "artifacts/enable_<timestamp>" if name == "enable" else "none written")
        p.add_argument("--artifacts-dir", type=argtypes.output_dir,
                       help=f"write {name}_record.json here (default: {record_default})")
        if name == "enable":
            p.add_argument("--override-approval", metavar="REASON",
                           help="enable without an approval record; the reason is recorded "
                                "(default: an approval is required)")
            p.add_argument("--db-url", help="the database to re-read: it must still be what "
                                            "was approved (default: $SOLVEREIGN_DB_URL)")
        p.set_defaults(func=_run, disabled=name == "freeze")


def _approval(args: argparse.Namespace) -> dict:
    """Enabling needs the approval of the current bundle, or a recorded override."""
    if args.override_approval is not None:
        if not args.override_approval.strip():
            raise ConfigError("--override-approval needs a reason")
        return {"override": args.override_approval.strip()}
    bundle = args.artifacts_dir or approval.latest_bundle()
    if bundle is None:
        raise approval.ApprovalRefused("no evidence bundle to check an approval in "
                                       "(give --artifacts-dir, or --override-approval REASON)")
    record = approval.require_approval(bundle, keys.verifying_key())
    print(f"approval by {record['approver']} at {record['timestamp']} holds for {bundle}")
    db_url = args.db_url or os.environ.get("SOLVEREIGN_DB_URL")
    if not db_url:
        raise approval.ApprovalRefused(
            "enable re-reads the live database before writes come back: give --db-url or "
            "SOLVEREIGN_DB_URL (or --override-approval REASON)")
    live = approval.require_live_target(record.get("target"), settings.db_url(db_url))
    print(f"the live database is what was approved: {live.describe()}; no migration running")
    return {"approved_by": record["approver"], "bundle": str(bundle),
            "target": live.as_dict()}


def _record_folder(args: argparse.Namespace, granted: dict | None) -> Path | None:
    """Where the record goes: --artifacts-dir; for enable, else the approved bundle, and an
    override is always recorded somewhere (artifacts/enable_<timestamp>)."""
    if args.artifacts_dir or granted is None:
        return args.artifacts_dir
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


def _run(args: argparse.Namespace) -> int:
    granted = None if args.disabled else _approval(args)
    folder = _record_folder(args, granted)
    if granted is not None:  # writes come back only with their approval recorded
        require_reseal_key(folder, "enable")
    record = switch_writes(args.disabled, api_url=args.api_url or
                           os.environ.get(API_URL_VAR), verify=not args.no_verify,
                           timeout=args.timeout, artifacts_dir=folder)
    sent = None
    if not args.disabled:
        where = folder.resolve() if folder is not None else Path.cwd()
        sent = notify.send("enabled", where.name, "info", str(where), "writes enabled")
    if granted is not None and folder is not None:
        _record_enable(folder, granted, sent)
    state = "FROZEN" if args.disabled else "ENABLED"
    print(f"WRITES {state}" + ("" if record.verified else
                               " (not verified: --no-verify, the application was not asked)"))
    return 0

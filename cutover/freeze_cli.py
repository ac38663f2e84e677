"""`cutover freeze` and `cutover enable` (DESIGN §8, runbook §2.1 and §7.1)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from cutover import approval, settings
from cutover.errors import ConfigError
from cutover.evidence import write_json
from cutover.freeze import PROOF_TIMEOUT, switch_writes


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `freeze` and `enable`."""
    for name, text in (("freeze", "disable platform writes, then prove it"),
                       ("enable", "enable platform writes again, then prove it")):
        p = subparsers.add_parser(name, help=text)
        p.add_argument("--api-url", help="application to prove it through ($SOLVEREIGN_API_URL)")
        p.add_argument("--no-verify", action="store_true",
                       help="skip the proof (a store with no application behind it)")
        p.add_argument("--timeout", type=float, default=PROOF_TIMEOUT,
                       help="seconds to wait for the application to follow the flag")
        p.add_argument("--artifacts-dir", type=Path, help="write <action>_record.json here")
        if name == "enable":
            p.add_argument("--override-approval", metavar="REASON",
                           help="enable without an approval record; the reason is recorded")
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
    record = approval.require_approval(bundle, settings.secret("SOLVEREIGN_HMAC_SECRET") or "")
    print(f"approval by {record['approver']} at {record['timestamp']} holds for {bundle}")
    return {"approved_by": record["approver"], "bundle": str(bundle)}


def _run(args: argparse.Namespace) -> int:
    granted = None if args.disabled else _approval(args)
    record = switch_writes(args.disabled, api_url=args.api_url or
                           os.environ.get("SOLVEREIGN_API_URL"), verify=not args.no_verify,
                           timeout=args.timeout, artifacts_dir=args.artifacts_dir)
    if granted is not None and args.artifacts_dir:
        path = args.artifacts_dir / "enable_record.json"
        doc = json.loads(path.read_text())
        doc["approval"] = granted
        write_json(path, doc)
    state = "FROZEN" if args.disabled else "ENABLED"
    print(f"WRITES {state}" + ("" if record.verified else " (not verified)"))
    return 0

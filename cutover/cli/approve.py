"""`cutover approve --artifacts-dir DIR --approver NAME` (runbook §6)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from cutover import argtypes, settings
from cutover.approval import record as approval
from cutover.approval import targets
from cutover.approval import waivers as bundle_waivers
from cutover.evidence import keys
from cutover.rollback import notify


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `approve`."""
    p = subparsers.add_parser("approve", help="record human approval of a verified bundle")
    p.add_argument("--artifacts-dir", type=argtypes.input_dir, required=True,
                   help="the evidence bundle")
    p.add_argument("--approver", required=True, help="who approves (a person)")
    p.add_argument("--db-url", help="re-read this database and refuse unless it is what the "
                                    "bundle judged (default $SOLVEREIGN_DB_URL, if set)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    key = keys.signing_key()  # approving re-seals the bundle
    judged = approval.review(args.artifacts_dir, key)
    print("Go / no-go checklist (runbook §6.1):")
    for j in judged:
        flag = " (blocker)" if j.item.blocker else ""
        print(f"  {j.status:<7} {j.item.title}{flag}: {j.summary}")
    waivers = bundle_waivers.applied(args.artifacts_dir, skip=approval.AFTER_APPROVAL)
    print(f"Waivers applied: {len(waivers) or 'none'}")
    for line in bundle_waivers.lines(waivers):
        print(f"  WAIVED  {line}")
    target, _ = targets.judged_target(args.artifacts_dir)
    if target is not None:
        print(f"Judged target: {target.describe()}")
    db_url = args.db_url or os.environ.get("SOLVEREIGN_DB_URL")
    record = approval.approve(args.artifacts_dir, args.approver, key,
                              db_url=settings.db_url(db_url) if db_url else None)
    live = f"; live database {record.live_checked} re-read" if record.live_checked else ""
    print(f"APPROVED by {record.approver} at {record.timestamp} "
          f"(summary sha256 {record.summary_sha256[:16]}…, {len(waivers)} waiver(s){live})")
    # after the seal the approval binds: the send's outcome is logged, never written into it
    notify.send("approved", Path(args.artifacts_dir).name, "info",
                str(Path(args.artifacts_dir).resolve()), f"approved by {record.approver}")
    return 0

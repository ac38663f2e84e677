"""`cutover approve --artifacts-dir DIR --approver NAME` (runbook §6)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cutover import approval, settings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `approve`."""
    p = subparsers.add_parser("approve", help="record human approval of a verified bundle")
    p.add_argument("--artifacts-dir", type=Path, required=True, help="the evidence bundle")
    p.add_argument("--approver", required=True, help="who approves (a person)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    secret = settings.secret("SOLVEREIGN_HMAC_SECRET") or ""
    judged = approval.review(args.artifacts_dir, secret)
    print("Go / no-go checklist (runbook §6.1):")
    for j in judged:
        flag = " (blocker)" if j.item.blocker else ""
        print(f"  {j.status:<7} {j.item.title}{flag}: {j.summary}")
    record = approval.approve(args.artifacts_dir, args.approver, secret)
    print(f"APPROVED by {record.approver} at {record.timestamp} "
          f"(summary sha256 {record.summary_sha256[:16]}…)")
    return 0

"""`cutover approve --artifacts-dir DIR --approver NAME` (runbook §6); the flow is
cutover.approval.command."""

from __future__ import annotations

import argparse

from cutover import argtypes
from cutover.approval import command


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
    return command.run(args.artifacts_dir, args.approver, args.db_url)

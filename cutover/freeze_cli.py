"""`cutover freeze` and `cutover enable` (DESIGN §8, runbook §2.1 and §7.1)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

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
        p.set_defaults(func=_run, disabled=name == "freeze")


def _run(args: argparse.Namespace) -> int:
    record = switch_writes(args.disabled, api_url=args.api_url or
                           os.environ.get("SOLVEREIGN_API_URL"), verify=not args.no_verify,
                           timeout=args.timeout, artifacts_dir=args.artifacts_dir)
    state = "FROZEN" if args.disabled else "ENABLED"
    print(f"WRITES {state}" + ("" if record.verified else " (not verified)"))
    return 0

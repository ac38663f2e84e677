"""`cutover freeze` and `cutover enable` (README.md, runbook §2.1 and §7.1); the flow is
cutover.freeze.command."""

from __future__ import annotations

import argparse

from cutover import argtypes
from cutover.freeze import command
from cutover.freeze.writes import API_URL_VAR, PROBE_KEY_VAR, PROOF_TIMEOUT


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


def _run(args: argparse.Namespace) -> int:
    return command.run(command.SwitchRequest(
        disabled=args.disabled, api_url=args.api_url, verify=not args.no_verify,
        timeout=args.timeout, artifacts_dir=args.artifacts_dir,
        override_approval=getattr(args, "override_approval", None),
        db_url=getattr(args, "db_url", None)))

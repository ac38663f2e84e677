"""`cutover last-known-good --artifacts-dir DIR` (runbook §7.2): record the release now proven.

Run after writes are enabled and the watch is quiet. It refuses unless the bundle's
approval still holds (bundle verifies, record belongs to it) and writes were enabled;
then it writes the last-known-good file the rollback reads, copies it into the bundle
and re-seals the bundle.
"""

from __future__ import annotations

import argparse

from cutover import argtypes, settings
from cutover.approval import lkg
from cutover.evidence import keys


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `last-known-good`."""
    p = subparsers.add_parser("last-known-good", help="record an approved, enabled cutover "
                                                      "as the release to roll back to")
    p.add_argument("--artifacts-dir", type=argtypes.input_dir, required=True,
                   help="the approved bundle")
    p.add_argument("--lkg-file", type=argtypes.output_file,
                   help=f"where to write it (default ${lkg.PATH_VAR} or {lkg.DEFAULT_PATH})")
    p.add_argument("--db-url", help="the database to re-read: it must still be what was "
                                    "approved (default $SOLVEREIGN_DB_URL)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    key = keys.signing_key()  # recording re-seals the bundle
    written, record = lkg.record_from_bundle(args.artifacts_dir, key, args.lkg_file,
                                             db_url=settings.db_url(args.db_url))
    print(f"LAST-KNOWN-GOOD: {record.rollback_sha} ({record.rc_tag}, ledger head "
          f"{record.ledger_head}) written to {written}")
    return 0

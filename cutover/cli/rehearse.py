"""`cutover rehearse`: the whole runbook against a fresh sandbox (cutover.runbook.rehearse).

The command layer picks the platform: the sandbox's provider, passed to the library.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cutover import argtypes
from cutover.cli.sandbox import add_pg_bin, pg_bin
from cutover.runbook.rehearse import rehearse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `rehearse`."""
    p = subparsers.add_parser("rehearse", help="run the whole runbook against a fresh sandbox")
    p.add_argument("--artifacts-dir", type=argtypes.output_dir, default=Path("artifacts"),
                   help="where the prod_cutover_<timestamp> bundle is written "
                   "(default: %(default)s)")
    p.add_argument("--data-dir", type=argtypes.output_dir,
                   help="sandbox directory (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="leave the sandbox running")
    p.add_argument("--rc-tag", help="the release candidate rehearsed (default: $SOLVEREIGN_RC_TAG, "
                   "the release manifest's, else sandbox-rehearsal)")
    p.add_argument("--release-sha", help="the release's commit sha recorded for approval and "
                   "last-known-good (default: $SOLVEREIGN_RELEASE_SHA, the release manifest, "
                   "git HEAD of a checkout, else this installed build's digest)")
    p.add_argument("--release-manifest", type=argtypes.input_file,
                   help="JSON file with release_sha (and rc_tag) "
                   "(default: $SOLVEREIGN_RELEASE_MANIFEST)")
    p.add_argument("--profile", choices=["superuser", "managed"], default="superuser",
                   help="sandbox profile; managed: no superuser URL anywhere (README.md) "
                   "(default: %(default)s)")
    add_pg_bin(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """The command: exit 0 when every step passed."""
    from sandbox.platform import SandboxProvider  # imported when run, not for `--help`

    ok, _ = rehearse(args.artifacts_dir, args.data_dir, keep=args.keep, rc_tag=args.rc_tag,
                     release_sha=args.release_sha, release_manifest=args.release_manifest,
                     profile=args.profile, provider=SandboxProvider(pg_bin(args)))
    return 0 if ok else 1

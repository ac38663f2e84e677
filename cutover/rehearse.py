"""`cutover rehearse`: the runbook against a fresh sandbox, step by step.

Today it covers what has been built: start a pre-cutover sandbox, show where its
schema stands and what the cutover would apply, and stop it. Each later runbook step
(preflight, freeze, backup, migrate, gate, enable, rollback drill) is added here as
it lands, so the README's main command always exercises everything that exists.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from cutover.db import connect
from cutover.dburl import mask_url
from cutover.migrate.files import default_directory
from cutover.migrate.runner import load_plan


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `rehearse`."""
    p = subparsers.add_parser("rehearse", help="run the runbook against a fresh sandbox")
    p.add_argument("--data-dir", type=Path, help="sandbox directory (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="leave the sandbox running")
    p.set_defaults(func=run)


def _step(name: str) -> float:
    print(f"==> {name}", flush=True)
    return time.monotonic()


def run(args: argparse.Namespace) -> int:
    """Start, inspect and stop a sandbox; exit 0 when every step worked."""
    from sandbox import manage

    root = (args.data_dir or Path(tempfile.mkdtemp(prefix="solvereign-rehearsal-"))).resolve()
    t0 = _step(f"sandbox up --at pre ({root})")
    state = manage.up(root, at="pre", log=lambda line: print(f"    {line}"))
    print(f"    ready in {time.monotonic() - t0:.1f}s")
    try:
        _step("migration status")
        url = state.url("solvereign_migrator")
        with connect(url) as conn:
            plan = load_plan(conn, default_directory())
            version = conn.execute("SHOW server_version").fetchone()[0]
        print(f"    {mask_url(url)} (PostgreSQL {version})")
        print(f"    ledger head: {plan.head}")
        print(f"    pending: {', '.join(m.name for m in plan.pending) or 'none'}")
        if plan.drift:
            print("    DRIFT: " + "; ".join(plan.drift), file=sys.stderr)
            return 1
    finally:
        if not args.keep:
            _step("sandbox down")
            manage.down(root)
    print("REHEARSAL: the steps built so far completed")
    return 0

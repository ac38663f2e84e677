"""`cutover migrate status` (runbook §3): every migration file's state in the target's
ledger, and an exit code a pipeline can branch on: 0 up to date, 1 pending, 2 drift (an
applied file edited, or applied out of order)."""

from __future__ import annotations

import sys
from pathlib import Path

from cutover.migrate.runner import load_plan
from cutover.pg.connect import connect
from cutover.pg.url import mask_url

STATUS_UP_TO_DATE, STATUS_PENDING, STATUS_DRIFT = 0, 1, 2


def status(url: str, directory: Path) -> int:
    """Print every file's state; exit 0 up to date, 1 pending, 2 drift."""
    with connect(url) as conn:
        plan = load_plan(conn, directory)
    print(f"database: {mask_url(url)}")
    print(f"head:     {plan.head or '(empty ledger)'}")
    for m in plan.files:
        row = plan.applied.get(m.version)
        state = "applied" if row else "pending"
        if any(e[0] is m for e in plan.edited):
            state = "EDITED"
        elif m in plan.out_of_order:
            state = "OUT-OF-ORDER"
        when = f"  {row.applied_at} by {row.applied_by}" if row else ""
        print(f"  {state:<12} {m.name}{when}")
    for line in plan.drift:
        print(f"DRIFT: {line}", file=sys.stderr)
    if plan.drift:
        return STATUS_DRIFT
    if plan.pending:
        print(f"{len(plan.pending)} pending")
        return STATUS_PENDING
    print("up to date")
    return STATUS_UP_TO_DATE

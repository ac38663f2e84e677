"""`cutover approve` end to end (runbook §6): the go/no-go checklist shown to the approver,
the waivers and the judged target named, the approval recorded and sealed
(cutover.approval.record), then the `approved` notification.

The signing key is required first: approving re-seals the bundle, so without it nothing
is shown as approvable and nothing is written.
"""

from __future__ import annotations

import os
from pathlib import Path

from cutover import settings
from cutover.approval import record as approval
from cutover.approval import targets
from cutover.approval import waivers as bundle_waivers
from cutover.evidence import keys
from cutover.rollback import notify


def run(folder: Path, approver: str, db_url: str | None = None) -> int:
    """Show the checklist and record the approval (a refusal raises); `db_url` (default
    $SOLVEREIGN_DB_URL, if set) is re-read and must be what the bundle judged."""
    key = keys.signing_key()  # approving re-seals the bundle
    judged = approval.review(folder, key)
    print("Go / no-go checklist (runbook §6.1):")
    for j in judged:
        flag = " (blocker)" if j.item.blocker else ""
        print(f"  {j.status:<7} {j.item.title}{flag}: {j.summary}")
    waivers = bundle_waivers.applied(folder, skip=approval.AFTER_APPROVAL)
    print(f"Waivers applied: {len(waivers) or 'none'}")
    for line in bundle_waivers.lines(waivers):
        print(f"  WAIVED  {line}")
    target, _ = targets.judged_target(folder)
    if target is not None:
        print(f"Judged target: {target.describe()}")
    db_url = db_url or os.environ.get("SOLVEREIGN_DB_URL")
    record = approval.approve(folder, approver, key,
                              db_url=settings.db_url(db_url) if db_url else None)
    live = f"; live database {record.live_checked} re-read" if record.live_checked else ""
    print(f"APPROVED by {record.approver} at {record.timestamp} "
          f"(summary sha256 {record.summary_sha256[:16]}…, {len(waivers)} waiver(s){live})")
    # after the seal the approval binds: the send's outcome is logged, never written into it
    notify.send("approved", Path(folder).name, "info", str(Path(folder).resolve()),
                f"approved by {record.approver}")
    return 0

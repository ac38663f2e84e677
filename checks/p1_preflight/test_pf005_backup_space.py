"""PF-005: the backup folder has room for the dump (free space vs database size)."""

import os
import shutil
from pathlib import Path

import pytest

pytestmark = [pytest.mark.preflight]


@pytest.mark.check(id="PF-005", severity="blocker", runbook="§2.4",
                   remediation="Free space or point SOLVEREIGN_BACKUP_DIR at a volume with "
                               "room for the dump before freezing writes.")
def test_pf005_room_for_the_backup(gate_db, target, evidence):
    """Free bytes >= factor x database size (a custom dump is smaller; the factor is margin)."""
    factor = float(target.setting("SOLVEREIGN_BACKUP_SPACE_FACTOR") or 2)
    folder = Path(target.setting("SOLVEREIGN_BACKUP_DIR") or "backups")
    probe = next(p for p in [folder, *folder.resolve().parents] if p.exists())
    free = shutil.disk_usage(probe).free
    size = gate_db.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    evidence.data.update(folder=str(folder), free_bytes=free, database_bytes=size,
                         factor=factor, writable=os.access(probe, os.W_OK))
    assert os.access(probe, os.W_OK), f"backup folder {probe} is not writable"
    assert free >= factor * size, (f"backup folder {folder} has {free} bytes free; needs "
                                   f"{factor:g} x {size} bytes")

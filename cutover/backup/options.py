"""What one backup is asked for, carries from step to step, and returns (cutover.backup.dump)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cutover.backup.slipped_writes import STATS_FLUSH_BOUND
from cutover.pg import run as pgrun

Log = Callable[[str], None]


@dataclass(frozen=True)
class BackupOptions:
    """Knobs of one backup; the defaults are the production ones."""

    lock_wait_timeout: str = "30s"
    stats_settle: float = STATS_FLUSH_BOUND
    workers: int = 1  # checksum sessions beside pg_dump (1: the snapshot's own session)
    # "custom": one file written by one pg_dump process (the default); "directory": a folder
    # written by `jobs` parallel pg_dump workers, restored with `pg_restore --jobs`.
    dump_format: str = "custom"
    jobs: int = 1
    # pg_dump's gzip level. 1, not pg_dump's default (6): the backup runs while writes are
    # disabled, and at 512 MB level 1 dumped in half the time for a dump 9% bigger, and
    # restored faster (bench/bench_backup.py; README, Performance).
    compress: int = 1
    # Runs right after the snapshot is exported, before pg_dump starts: lets a test or a
    # drill play the write that slips past the freeze at exactly the moment that matters.
    after_snapshot: Callable[[], None] | None = None
    # Runs after the witness snapshot of the slipped-writes proof, before the dump's own
    # snapshot: a write there is in the dump but still slipped past the freeze.
    before_snapshot: Callable[[], None] | None = None
    # A role that may CREATE DATABASE on the same cluster (SOLVEREIGN_ADMIN_DB_URL): the
    # restore check restores the dump into a scratch database with it. None: no restore
    # check (the manifest then says so, and `cutover backup` refuses to call that SUCCESS).
    restore_check_url: str | None = None


@dataclass
class BackupResult:
    """Where the backup went and what its manifest says."""

    dump: Path
    manifest: Path
    doc: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)

    def bundle_doc(self) -> dict[str, Any]:
        """backup_manifest.json of the evidence bundle: the manifest, where the dump is, and
        that it was verified (take_backup returns only verified dumps)."""
        return {**self.doc, "path": str(self.dump.resolve()),
                "verified": self.doc.get("restore_check") is not None}


@dataclass
class BackupRun:
    """What one backup carries from step to step."""

    url: str
    out_dir: Path
    options: BackupOptions
    log: Log | None
    secrets: list[str]
    conn: pgrun.Conn
    # Our sessions and pg_dump's carry this unguessable name, so waiting for "other"
    # sessions never waits for ourselves (a closed backend lingers a moment).
    tag: str = field(default_factory=lambda: f"cutover backup {uuid.uuid4().hex[:12]}")
    timings: dict[str, float] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

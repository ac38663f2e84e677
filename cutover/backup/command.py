"""`cutover backup` end to end (runbook §2.4): settings resolved and refused before the
dump, the verified dump (cutover.backup.dump), its manifest copied into the bundle.

Output: `backup <dump> sha256 <digest>` and the verdict `BACKUP STATUS: SUCCESS|FAILED`.
Exit 0 success, 1 the dump cannot be trusted (named), 2 bad input, before anything changed
(a sealed --artifacts-dir this process cannot re-seal is bad input: refused before the dump,
not found unverifiable after it).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cutover import settings
from cutover.backup.dump import BackupOptions, BackupRefused, take_backup
from cutover.backup.slipped_writes import STATS_FLUSH_BOUND
from cutover.errors import ConfigError
from cutover.evidence.bundle import write_json
from cutover.evidence.reseal import require_reseal_key, reseal_after_writing
from cutover.pg.url import validate_url

BACKUP_DIR_VAR = "SOLVEREIGN_BACKUP_DIR"
BUNDLE_MANIFEST = "backup_manifest.json"
DIRECTORY_JOBS = 2  # --format directory without --jobs


@dataclass(frozen=True)
class BackupRequest:
    """One `cutover backup` as its flags gave it (None: the environment's, else the default)."""

    db_url: str | None = None  # default: $SOLVEREIGN_BACKUP_DB_URL
    admin_url: str | None = None  # default: $SOLVEREIGN_ADMIN_DB_URL
    out: Path | None = None  # default: $SOLVEREIGN_BACKUP_DIR or backups/
    lock_wait_timeout: str = "30s"
    settle: float = STATS_FLUSH_BOUND
    workers: int = 1
    dump_format: str = "custom"
    jobs: int | None = None  # default: DIRECTORY_JOBS for a directory archive, else 1
    compress: int = 1  # pg_dump's gzip level (BackupOptions.compress)
    artifacts_dir: Path | None = None


def _settings(req: BackupRequest) -> tuple[str, Path, BackupOptions]:
    """(backup URL, folder, options), every setting checked in the order an operator fixes
    them; then a sealed --artifacts-dir needs the key that re-seals it. Bad input: exit 2."""
    if req.jobs is not None and req.jobs > 1 and req.dump_format != "directory":
        raise ConfigError(f"--jobs {req.jobs} needs --format directory (pg_dump writes a "
                          "custom archive with one process)")
    if not 0 <= req.compress <= 9:
        raise ConfigError(f"--compress must be a gzip level 0..9, got {req.compress}")
    url = settings.db_url(req.db_url, name=settings.BACKUP_URL_VAR)
    out = req.out or Path(os.environ.get(BACKUP_DIR_VAR) or "backups")
    if req.workers < 1:
        raise ConfigError("--workers must be at least 1")
    admin = req.admin_url or os.environ.get(settings.ADMIN_URL_VAR)
    if not admin:
        raise ConfigError(f"{settings.ADMIN_URL_VAR} is not set: the backup proves that its "
                          "dump restores by restoring it into a scratch database, which needs "
                          "a role that may CREATE DATABASE (--admin-url)")
    validate_url(admin, "--admin-url" if req.admin_url else settings.ADMIN_URL_VAR)
    require_reseal_key(req.artifacts_dir, "backup")
    jobs = req.jobs or (DIRECTORY_JOBS if req.dump_format == "directory" else 1)
    return url, out, BackupOptions(lock_wait_timeout=req.lock_wait_timeout,
                                   stats_settle=max(0.0, req.settle), workers=req.workers,
                                   restore_check_url=admin, dump_format=req.dump_format,
                                   jobs=jobs, compress=req.compress)


def run(req: BackupRequest) -> int:
    """Take the backup; the verdict line and the exit code (bad input raises ConfigError)."""
    url, out, options = _settings(req)
    try:
        result = take_backup(url, out, options, log=print, secrets=settings.app_secrets())
    except BackupRefused as exc:
        print(f"cutover: backup refused: {exc}", file=sys.stderr)
        print("BACKUP STATUS: FAILED")
        return exc.exit_code
    print(f"backup {result.dump} sha256 {result.doc['dump']['sha256']}")
    if req.artifacts_dir:
        write_json(req.artifacts_dir / BUNDLE_MANIFEST, result.bundle_doc())
        print(f"manifest copied to {req.artifacts_dir / BUNDLE_MANIFEST}")
        reseal_after_writing(req.artifacts_dir, [BUNDLE_MANIFEST])
    print("BACKUP STATUS: SUCCESS")
    return 0

"""`cutover backup` and `cutover rollback` (README.md; runbook §2.4 and §9.2).

Thin: flags in, the flows in cutover.backup.command and cutover.rollback.command do the
work and print one verdict line (`BACKUP STATUS: SUCCESS|FAILED`,
`ROLLBACK STATUS: SUCCESS|FAILED`). Exit 0 success, 1 a check failed (named), 2 bad input
(one line, before anything changed).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cutover import argtypes
from cutover.backup import command as backup_command
from cutover.backup.command import BACKUP_DIR_VAR
from cutover.backup.slipped_writes import STATS_FLUSH_BOUND
from cutover.rollback import command as rollback_command
from cutover.settings import ADMIN_URL_VAR, BACKUP_URL_VAR


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `backup` and `rollback`."""
    b = subparsers.add_parser("backup", help="verified pg_dump + manifest (after the freeze)")
    b.add_argument("--db-url", help=f"backup role URL (default: ${BACKUP_URL_VAR})")
    b.add_argument("--admin-url", help="a role that may CREATE DATABASE, for the restore "
                                       f"check's scratch database (default: ${ADMIN_URL_VAR})")
    b.add_argument("--out", type=argtypes.output_dir,
                   help=f"folder (default: ${BACKUP_DIR_VAR} or backups/)")
    b.add_argument("--lock-wait-timeout", default="30s", type=argtypes.pg_duration,
                   help="how long to wait for table locks before giving up (pg_dump's too; "
                        "default: %(default)s)")
    b.add_argument("--settle", type=argtypes.nonnegative_float, default=STATS_FLUSH_BOUND,
                   metavar="SECONDS",
                   help="only when transactions committed during the dump: longest wait "
                        "for other sessions' write counters, to search just the tables "
                        "they moved; 0 searches every table (default: %(default)s)")
    b.add_argument("--workers", type=argtypes.positive_int, default=1,
                   help="checksum sessions beside pg_dump (default: %(default)s)")
    b.add_argument("--format", choices=("custom", "directory"), default="custom",
                   dest="dump_format", help="pg_dump's archive format: one file (custom, the "
                   "default) or a folder written and restored by --jobs parallel workers")
    b.add_argument("--jobs", type=argtypes.positive_int, default=None,
                   help="pg_dump workers of a directory-format backup (default 2); the "
                        "rollback restores with as many")
    b.add_argument("--compress", type=argtypes.nonnegative_int, default=1, metavar="0-9",
                   help="pg_dump's gzip level (default: %(default)s, half the time of "
                        "pg_dump's 6 for a dump about 10%% bigger: writes wait for the dump)")
    b.add_argument("--artifacts-dir", type=argtypes.output_dir,
                   help="also write backup_manifest.json into this evidence bundle")
    b.set_defaults(func=run_backup)

    r = subparsers.add_parser("rollback", help="restore the pre-cutover backup (runbook 9.2)")
    r.add_argument("--db-url", help="the database to roll back (default: $SOLVEREIGN_DB_URL)")
    r.add_argument("--admin-url", help=f"superuser URL for the restore (default: ${ADMIN_URL_VAR})")
    r.add_argument("--verify-url", help="a role that reads every row (BYPASSRLS), to "
                                        "compare the restore with the backup (default: "
                                        f"${BACKUP_URL_VAR}, else the admin URL)")
    r.add_argument("--backup", required=True, type=Path,
                   help="the .dump (or its manifest)")
    r.add_argument("--workers", type=argtypes.positive_int, default=2,
                   help="checksum connections (default: %(default)s)")
    r.add_argument("--jobs", type=argtypes.positive_int, default=None,
                   help="pg_restore workers (default: as many as the backup's pg_dump used)")
    r.add_argument("--api-url", help="the API the post-rollback gate probes after the "
                                     "redeploy (default: $SOLVEREIGN_API_URL)")
    r.add_argument("--artifacts-dir", type=argtypes.output_dir,
                   help="where postrollback_result.json goes (default: "
                        "$SOLVEREIGN_ARTIFACTS_DIR or artifacts/rollback_<timestamp>)")
    r.add_argument("--reason", default="manual rollback",
                   help="why: the trigger (cutover watch passes its finding; default: "
                        "%(default)s)")
    r.add_argument("--severity", default="manual", help="S0, S1 or manual (default: %(default)s)")
    r.add_argument("--first-bad-sample", help="ISO time of the watch's first bad sample")
    r.add_argument("--since", help="ISO start of the incident window (the watch's start)")
    r.add_argument("--watch-log", type=Path, help="the watch's samples (JSON lines)")
    r.set_defaults(func=run_rollback)


def run_backup(args: argparse.Namespace) -> int:
    """`cutover backup`."""
    return backup_command.run(backup_command.BackupRequest(
        db_url=args.db_url, admin_url=args.admin_url, out=args.out,
        lock_wait_timeout=args.lock_wait_timeout, settle=args.settle, workers=args.workers,
        dump_format=args.dump_format, jobs=args.jobs, compress=args.compress,
        artifacts_dir=args.artifacts_dir))


def run_rollback(args: argparse.Namespace) -> int:
    """`cutover rollback`."""
    return rollback_command.run(rollback_command.RollbackRequest(
        backup=args.backup, db_url=args.db_url, admin_url=args.admin_url,
        verify_url=args.verify_url, workers=args.workers, jobs=args.jobs,
        api_url=args.api_url, artifacts_dir=args.artifacts_dir, reason=args.reason,
        severity=args.severity, first_bad_sample=args.first_bad_sample, since=args.since,
        watch_log=args.watch_log))

"""`cutover backup` and `cutover rollback` (README.md; runbook §2.4 and §9.2).

Thin: flags and environment in, the library does the work, one verdict line out
(`BACKUP STATUS: SUCCESS|FAILED`, `ROLLBACK STATUS: SUCCESS|FAILED`). Exit 0 success,
1 a check failed (named), 2 bad input (one line, before anything changed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from cutover import argtypes, settings
from cutover.approval import lkg
from cutover.backup import manifest
from cutover.backup.dump import BackupOptions, BackupRefused, take_backup
from cutover.backup.slipped_writes import STATS_FLUSH_BOUND
from cutover.cli.evidence import reseal_after_writing
from cutover.errors import ConfigError
from cutover.evidence.bundle import write_json
from cutover.pg.url import database_name, validate_url, with_database
from cutover.rollback import incident, notify, redeploy
from cutover.rollback.gate import gate_hook
from cutover.rollback.lock import RollbackBusy
from cutover.rollback.procedure import Hooks, rollback
from cutover.rollback.verify import RollbackFailed

BACKUP_URL_VAR = "SOLVEREIGN_BACKUP_DB_URL"
BACKUP_DIR_VAR = "SOLVEREIGN_BACKUP_DIR"
ADMIN_URL_VAR = "SOLVEREIGN_ADMIN_DB_URL"
BUNDLE_MANIFEST = "backup_manifest.json"
DIRECTORY_JOBS = 2  # --format directory without --jobs
_SECRET_VARS = ("SOLVEREIGN_SESSION_SECRET", "SOLVEREIGN_HMAC_SECRET")


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


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def _secrets() -> list[str]:
    return [v for k in _SECRET_VARS if (v := os.environ.get(k))]


def run_backup(args: argparse.Namespace) -> int:
    """`cutover backup`."""
    if args.jobs is not None and args.jobs > 1 and args.dump_format != "directory":
        raise ConfigError(f"--jobs {args.jobs} needs --format directory (pg_dump writes a "
                          "custom archive with one process)")
    url = settings.db_url(args.db_url, name=BACKUP_URL_VAR)
    out = args.out or Path(os.environ.get(BACKUP_DIR_VAR) or "backups")
    if args.workers < 1:
        raise ConfigError("--workers must be at least 1")
    jobs = args.jobs or (DIRECTORY_JOBS if args.dump_format == "directory" else 1)
    admin = args.admin_url or os.environ.get(ADMIN_URL_VAR)
    if not admin:
        raise ConfigError(f"{ADMIN_URL_VAR} is not set: the backup proves that its dump "
                          "restores by restoring it into a scratch database, which needs a "
                          "role that may CREATE DATABASE (--admin-url)")
    validate_url(admin, "--admin-url" if args.admin_url else ADMIN_URL_VAR)
    options = BackupOptions(lock_wait_timeout=args.lock_wait_timeout,
                            stats_settle=max(0.0, args.settle), workers=args.workers,
                            restore_check_url=admin, dump_format=args.dump_format, jobs=jobs)
    try:
        result = take_backup(url, out, options, log=print, secrets=_secrets())
    except BackupRefused as exc:
        print(f"cutover: backup refused: {exc}", file=sys.stderr)
        print("BACKUP STATUS: FAILED")
        return exc.exit_code
    print(f"backup {result.dump} sha256 {result.doc['dump']['sha256']}")
    if args.artifacts_dir:
        write_json(args.artifacts_dir / BUNDLE_MANIFEST, result.bundle_doc())
        print(f"manifest copied to {args.artifacts_dir / BUNDLE_MANIFEST}")
        reseal_after_writing(args.artifacts_dir, [BUNDLE_MANIFEST])
    print("BACKUP STATUS: SUCCESS")
    return 0


def _target_urls(args: argparse.Namespace) -> tuple[str, str]:
    admin = args.admin_url or os.environ.get(ADMIN_URL_VAR)
    admin = validate_url(admin, "--admin-url" if args.admin_url else ADMIN_URL_VAR)
    target = args.db_url or os.environ.get("SOLVEREIGN_DB_URL") or admin
    label = "--db-url" if args.db_url else "SOLVEREIGN_DB_URL"
    return validate_url(target, label), admin


def _redeploy_hook(record: lkg.LastKnownGood | None, database: str, backup: Path):
    """The configured redeploy command, validated now (placeholders filled) so a broken
    template is bad input before any change, not a failure after the restore."""
    command = redeploy.parse()
    if command is None:
        return None
    values = {"rollback_sha": record.rollback_sha if record else "",
              "rc_tag": record.rc_tag if record else "", "database": database,
              "backup": str(backup)}
    command.argv(values)
    secrets = _secrets()
    return lambda: redeploy.run(command, values, secrets)


def run_rollback(args: argparse.Namespace) -> int:
    """`cutover rollback`."""
    target, admin = _target_urls(args)
    if args.workers < 1:
        raise ConfigError("--workers must be at least 1")
    record = lkg.read()
    if record:
        print(f"last-known-good: rollback_sha {record.rollback_sha} (rc {record.rc_tag}, "
              f"{record.timestamp})")
    else:
        print(f"last-known-good: none recorded at {lkg.default_path()}")
    artifacts = (args.artifacts_dir or _env_path("SOLVEREIGN_ARTIFACTS_DIR")
                 or Path("artifacts") / f"rollback_{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
    api_url = args.api_url or os.environ.get("SOLVEREIGN_API_URL")
    hooks = Hooks(redeploy=_redeploy_hook(record, database_name(target), args.backup),
                  post_rollback_gate=gate_hook(target, artifacts, api_url=lambda: api_url))
    manifest.load(args.backup)  # bad input: one line, before any evidence is taken
    inc = incident.Incident(
        folder=Path(artifacts), trigger=args.reason, severity=args.severity,
        decided_at=datetime.now(UTC).isoformat(), first_bad_sample=args.first_bad_sample,
        since=args.since, watch_log=args.watch_log, secrets=_secrets())
    incident.capture(inc, with_database(admin, database_name(target)),
                     api_url.rstrip("/") + "/metrics" if api_url else None)
    outcome: dict = {"outcome": "rolled back", "writes_disabled": False}
    try:
        result = rollback(target, admin, args.backup, hooks=hooks, log=print,
                          secrets=_secrets(), workers=args.workers,
                          verify_url=args.verify_url or os.environ.get(BACKUP_URL_VAR),
                          journal=inc.journal, jobs=args.jobs)
    except (RollbackFailed, RollbackBusy) as exc:
        what = "failed at" if isinstance(exc, RollbackFailed) else "refused:"
        print(f"cutover: rollback {what} {exc}", file=sys.stderr)
        outcome = {"outcome": "failed", "failed_step": getattr(exc, "step", "lock"),
                   "failure": getattr(exc, "detail", str(exc)),
                   "writes_disabled": getattr(exc, "writes_disabled", False)}
        _close_incident(inc, args, record, outcome)
        print("ROLLBACK STATUS: FAILED")
        return exc.exit_code
    _close_incident(inc, args, record, outcome)
    print(f"rolled back {result.target}; the replaced database is kept as {result.kept_as}")
    print("ROLLBACK STATUS: SUCCESS")
    return 0


def _close_incident(inc: incident.Incident, args: argparse.Namespace,
                    record: lkg.LastKnownGood | None, outcome: dict) -> None:
    """Notify, then write and seal the incident record (a failed send is recorded in it)."""
    failed = outcome["outcome"] == "failed"
    event = "rollback_failed" if failed else "rollback_done"
    summary = (f"rollback failed at {outcome['failed_step']}" if failed else "rolled back") + \
        f" after {inc.trigger}"
    inc.notifications.append(notify.send(event, inc.folder.name, inc.severity,
                                         str(inc.folder.resolve()), summary))
    target = {"release_sha": record.rollback_sha if record else None,
              "rc_tag": record.rc_tag if record else None,
              "backup": str(args.backup), "backup_manifest": _manifest_of(args.backup)}
    incident.record(inc, outcome=outcome["outcome"], target=target,
                    failed_step=outcome.get("failed_step"), failure=outcome.get("failure"),
                    writes_disabled=outcome["writes_disabled"],
                    failing_checks=_failing_checks(inc.folder))
    print(f"incident record: {inc.folder / incident.RECORD_JSON} "
          f"({incident.seal(inc.folder)})")


def _manifest_of(backup: Path) -> dict:
    """The backup manifest's path and sha256 (the rollback target's identity)."""
    from cutover.backup.manifest import MANIFEST_SUFFIX, manifest_path
    from cutover.evidence.bundle import sha256_file

    path = Path(backup)
    path = path if path.name.endswith(MANIFEST_SUFFIX) else manifest_path(path)
    return {"path": str(path), "sha256": sha256_file(path) if path.is_file() else None}


def _failing_checks(folder: Path) -> list[str]:
    """The post-rollback gate's checks that did not pass, when it ran."""
    path = folder / "postrollback_result.json"
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    return [f"{c.get('check_id')} {c.get('status')}: {(c.get('message') or '')[:300]}"
            for c in doc.get("checks", []) if c.get("status") not in ("PASS", "N/A")]

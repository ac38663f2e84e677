"""`cutover rollback` end to end (runbook §9.2–§9.3): validate everything, capture the
incident's evidence, run the rollback (cutover.rollback.procedure), record and seal the
incident, notify.

Validation comes first: a missing dump, a missing pg_restore or a broken redeploy template
is bad input (exit 2) found before any evidence is captured or anything changes. Then the
evidence the restore would destroy is captured, then the rollback runs. Output: the steps,
the incident record's path and the verdict `ROLLBACK STATUS: SUCCESS|FAILED` (exit 0, 1).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cutover import settings
from cutover.approval import lkg
from cutover.backup.manifest import MANIFEST_SUFFIX, manifest_path
from cutover.errors import ConfigError
from cutover.evidence.bundle import sha256_file
from cutover.pg.url import database_name, validate_url, with_database
from cutover.rollback import incident, notify, redeploy
from cutover.rollback.gate import gate_hook
from cutover.rollback.lock import RollbackBusy
from cutover.rollback.procedure import Hooks, execute, plan
from cutover.rollback.verify import RollbackFailed


@dataclass(frozen=True)
class RollbackRequest:
    """One `cutover rollback` as its flags gave it (None: the environment's, else default)."""

    backup: Path
    db_url: str | None = None  # default: $SOLVEREIGN_DB_URL, else the admin URL
    admin_url: str | None = None  # default: $SOLVEREIGN_ADMIN_DB_URL
    verify_url: str | None = None  # default: $SOLVEREIGN_BACKUP_DB_URL, else the admin URL
    workers: int = 2
    jobs: int | None = None
    api_url: str | None = None  # default: $SOLVEREIGN_API_URL
    artifacts_dir: Path | None = None  # default: $SOLVEREIGN_ARTIFACTS_DIR, else a new folder
    reason: str = "manual rollback"
    severity: str = "manual"
    first_bad_sample: str | None = None
    since: str | None = None
    watch_log: Path | None = None


def _target_urls(req: RollbackRequest) -> tuple[str, str]:
    """(target, admin) URLs, validated: the flag, then the environment."""
    admin = req.admin_url or os.environ.get(settings.ADMIN_URL_VAR)
    admin = validate_url(admin, "--admin-url" if req.admin_url else settings.ADMIN_URL_VAR)
    target = req.db_url or os.environ.get("SOLVEREIGN_DB_URL") or admin
    label = "--db-url" if req.db_url else "SOLVEREIGN_DB_URL"
    return validate_url(target, label), admin


def _redeploy_hook(record: lkg.LastKnownGood | None, database: str,
                   backup: Path) -> Callable[[], str] | None:
    """The configured redeploy command, validated now (placeholders filled) so a broken
    template is bad input before any change, not a failure after the restore."""
    command = redeploy.parse()
    if command is None:
        return None
    values = {"rollback_sha": record.rollback_sha if record else "",
              "rc_tag": record.rc_tag if record else "", "database": database,
              "backup": str(backup)}
    command.argv(values)
    secrets = settings.app_secrets()
    return lambda: redeploy.run(command, values, secrets)


def _artifacts(req: RollbackRequest) -> Path:
    env = os.environ.get("SOLVEREIGN_ARTIFACTS_DIR")
    return Path(req.artifacts_dir or (Path(env) if env else None)
                or Path("artifacts") / f"rollback_{datetime.now(UTC):%Y%m%dT%H%M%SZ}")


def run(req: RollbackRequest) -> int:
    """Roll back; the verdict line and the exit code (bad input raises ConfigError)."""
    target, admin = _target_urls(req)
    if req.workers < 1:
        raise ConfigError("--workers must be at least 1")
    record = lkg.read()
    if record:
        print(f"last-known-good: rollback_sha {record.rollback_sha} (rc {record.rc_tag}, "
              f"{record.timestamp})")
    else:
        print(f"last-known-good: none recorded at {lkg.default_path()}")
    artifacts = _artifacts(req)
    api_url = req.api_url or os.environ.get("SOLVEREIGN_API_URL")
    hooks = Hooks(redeploy=_redeploy_hook(record, database_name(target), req.backup),
                  post_rollback_gate=gate_hook(target, artifacts, api_url=lambda: api_url))
    # bad input (manifest, dump, pg_restore, URLs): one line, before any evidence is taken
    planned = plan(target, admin, req.backup, hooks=hooks, log=print,
                   secrets=settings.app_secrets(), workers=req.workers,
                   verify_url=req.verify_url or os.environ.get(settings.BACKUP_URL_VAR),
                   jobs=req.jobs)
    inc = incident.Incident(
        folder=artifacts, trigger=req.reason, severity=req.severity,
        decided_at=datetime.now(UTC).isoformat(), first_bad_sample=req.first_bad_sample,
        since=req.since, watch_log=req.watch_log, secrets=settings.app_secrets())
    incident.capture(inc, with_database(admin, database_name(target)),
                     api_url.rstrip("/") + "/metrics" if api_url else None)
    outcome: dict = {"outcome": "rolled back", "writes_disabled": False}
    try:
        result = execute(planned, inc.journal)
    except (RollbackFailed, RollbackBusy) as exc:
        what = "failed at" if isinstance(exc, RollbackFailed) else "refused:"
        print(f"cutover: rollback {what} {exc}", file=sys.stderr)
        outcome = {"outcome": "failed", "failed_step": getattr(exc, "step", "lock"),
                   "failure": getattr(exc, "detail", str(exc)),
                   "writes_disabled": getattr(exc, "writes_disabled", False)}
        _close_incident(inc, req.backup, record, outcome)
        print("ROLLBACK STATUS: FAILED")
        return exc.exit_code
    _close_incident(inc, req.backup, record, outcome)
    print(f"rolled back {result.target}; the replaced database is kept as {result.kept_as}")
    print("ROLLBACK STATUS: SUCCESS")
    return 0


def _close_incident(inc: incident.Incident, backup: Path, record: lkg.LastKnownGood | None,
                    outcome: dict) -> None:
    """Notify, then write and seal the incident record (a failed send is recorded in it)."""
    failed = outcome["outcome"] == "failed"
    event = "rollback_failed" if failed else "rollback_done"
    summary = (f"rollback failed at {outcome['failed_step']}" if failed else "rolled back") + \
        f" after {inc.trigger}"
    inc.notifications.append(notify.send(event, inc.folder.name, inc.severity,
                                         str(inc.folder.resolve()), summary))
    target = {"release_sha": record.rollback_sha if record else None,
              "rc_tag": record.rc_tag if record else None,
              "backup": str(backup), "backup_manifest": _manifest_of(backup)}
    incident.record(inc, outcome=outcome["outcome"], target=target,
                    failed_step=outcome.get("failed_step"), failure=outcome.get("failure"),
                    writes_disabled=outcome["writes_disabled"],
                    failing_checks=_failing_checks(inc.folder))
    print(f"incident record: {inc.folder / incident.RECORD_JSON} "
          f"({incident.seal(inc.folder)})")


def _manifest_of(backup: Path) -> dict:
    """The backup manifest's path and sha256 (the rollback target's identity)."""
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

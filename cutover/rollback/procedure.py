"""The rollback (runbook §9.2): back to the pre-cutover backup, proven, then writes on again.

Steps, each printed as it runs; the first failure stops the run with exit 1 naming it.
Everything that can be validated is validated before the write flag is touched, so a refused
rollback (bad checksum, foreign backup, wrong identity) leaves writes as they were; from
step 3 on writes stay disabled until a run completes. One rollback of a database at a time
(cutover.rollback.lock: a second one is refused naming the holder).

 1. the dump's sha256 equals the manifest's (a directory archive: each file's, by name)
 2. the target is the backed-up database: system_identifier and name equal the manifest's,
    seen through the admin connection and through --db-url (anything else is refused,
    naming both); the verifying role reads every row (BYPASSRLS: the backup role)
 3. disable writes (hook; default: the config store flag)
 4. restore into a fresh work database (cutover.rollback.restore explains why not in place); work
    databases an interrupted run left are named and dropped first
 5. verify the work database before it goes live, as the verifying role: ledger head,
    security fingerprint (ownership, ACLs, row security, policies, definer functions,
    default privileges), sequences not behind their tables, every table's row count and
    content checksum
 6. swap it in by name in one transaction (the replaced database is kept, its comment
    naming the backup and the database that replaced it)
 7. verify the live database again (identity, ledger head, fingerprint, sequences)
 8. redeploy the previous build (hook: SOLVEREIGN_REDEPLOY_COMMAND with {rollback_sha})
 9. the post-rollback gate (hook: cutover.rollback.gate runs `pytest -m postrollback`)
10. enable writes (hook)

Redeploy comes before the gate and enabling writes: the gate must judge the build that will
take the writes, and the post-cutover build must never write into the pre-cutover schema.
Re-running after an interruption at any step completes the rollback; a run killed after the
swap is recognised (the kept database's comment names the live one) and never swaps twice.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from cutover.backup import manifest as backup_manifest
from cutover.backup.manifest import Manifest
from cutover.errors import ConfigError, CutoverError, TargetError
from cutover.pg import run as pgrun
from cutover.pg.connect import connect
from cutover.pg.url import database_name, mask_text, mask_url, validate_url, with_database
from cutover.rollback import lock, restore
from cutover.rollback.verify import (
    Check,
    RollbackFailed,
    check_identity,
    require,
    verify_database,
)

Log = Callable[[str], None]


def store_writes(disabled: bool) -> Callable[[], None]:
    """The default freeze/enable hook: set the flag in the configured store (no proof
    through the application here; that is `cutover freeze` / `cutover enable`)."""

    def hook() -> None:
        from cutover.configstore import WRITES_DISABLED_KEY, flag_label, open_store

        with open_store() as store:
            store.set_flag(WRITES_DISABLED_KEY, disabled, flag_label())

    return hook


@dataclass
class Hooks:
    """What the rollback calls outside the database; each replaceable (tests, rehearsal)."""

    disable_writes: Callable[[], None] = field(default_factory=lambda: store_writes(True))
    enable_writes: Callable[[], None] = field(default_factory=lambda: store_writes(False))
    redeploy: Callable[[], str | None] | None = None
    # judges the swapped-in database before writes come back; called with the manifest's
    # path (cutover.rollback.gate runs `pytest checks -m postrollback`)
    post_rollback_gate: Callable[[Path], bool] | None = None
    # Called with pg_restore's pid once it runs (lets a drill interrupt it mid-restore).
    on_restore_start: Callable[[int], None] | None = None


@dataclass
class RollbackResult:
    """What happened, for the caller's report."""

    target: str
    replaced_by: str
    kept_as: str
    checks: list[Check]
    timings: dict[str, float]


# -- the whole rollback --------------------------------------------------------------------


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


class _Steps:
    """Numbered, timed step output: the operator sees where the rollback is."""

    def __init__(self, log: Log, secrets: list[str], total: int,
                 journal: list[dict] | None = None) -> None:
        self.log, self.secrets, self.n, self.total = log, secrets, 0, total
        self.timings: dict[str, float] = {}
        self.writes_touched = False
        # every step's start, end and outcome, for the incident record (cutover.rollback.incident)
        self.journal: list[dict] = [] if journal is None else journal

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        """Run one step. Any failure is the rollback's failure (exit 1, naming the step),
        never mistaken for bad input; before the flag is touched it says writes are
        unchanged, after it that they remain disabled."""
        self.n += 1
        self.log(f"[{self.n}/{self.total}] {name}")
        started = time.monotonic()
        entry = {"step": name, "started_at": datetime.now(UTC).isoformat(), "ok": None}
        self.journal.append(entry)
        if name == DISABLE_STEP:
            self.writes_touched = True
        try:
            result = fn()
        except RollbackFailed as exc:
            entry.update(ok=False, finished_at=datetime.now(UTC).isoformat(), detail=exc.detail)
            if not self.writes_touched and exc.writes_disabled:
                raise RollbackFailed(exc.step, exc.detail, writes_disabled=False) from None
            raise
        except (CutoverError, psycopg.Error) as exc:
            text = mask_text(str(exc).strip().splitlines()[0] if str(exc).strip()
                             else type(exc).__name__, self.secrets)
            entry.update(ok=False, finished_at=datetime.now(UTC).isoformat(), detail=text)
            raise RollbackFailed(name, text, writes_disabled=self.writes_touched) from None
        entry.update(ok=True, finished_at=datetime.now(UTC).isoformat(),
                     detail=result if isinstance(result, str) else "")
        self.timings[name] = round(time.monotonic() - started, 3)
        self.log(f"    done in {self.timings[name]:.2f}s" + (f": {result}" if isinstance(
            result, str) and result else ""))
        return result


@dataclass
class RollbackPlan:
    """One rollback's inputs, resolved and validated before anything changes."""

    manifest: Manifest
    target_url: str
    admin_url: str
    pg_restore: str
    hooks: Hooks
    log: Log
    secrets: list[str]
    workers: int
    verify_url: str = ""  # a role that reads every row (the backup role); default: admin
    jobs: int = 1  # pg_restore workers
    checks: list[Check] = field(default_factory=list)
    already_swapped: str | None = None  # the kept database, when a killed run had swapped

    @property
    def target(self) -> str:
        return database_name(self.target_url)

    @property
    def admin_target(self) -> str:
        return with_database(self.admin_url, self.target)

    @property
    def work(self) -> str:
        return restore.work_name(self.target, self.manifest.sha256)

    @functools.cached_property
    def kept(self) -> str:
        return restore.rolledback_name(self.target, _stamp())

    def verify_at(self, database: str) -> tuple[str, str]:
        """(URL, its label) of the verifying role on `database`."""
        if self.verify_url:
            return with_database(self.verify_url, database), VERIFY_URL_VAR
        return with_database(self.admin_url, database), "SOLVEREIGN_ADMIN_DB_URL"


def _dump_checksum(p: RollbackPlan) -> str:
    dump = p.manifest.dump_path
    if p.manifest.dump_format == "directory":
        if not dump.is_dir():
            raise RollbackFailed("dump checksum", f"{dump.name} is not a directory archive")
        recorded = p.manifest.doc["dump"]["files"]
        bad = backup_manifest.differing_files(recorded, backup_manifest.file_digests(dump))
        if bad:
            raise RollbackFailed("dump checksum", f"the directory archive {dump.name} differs "
                                 f"from the manifest: {', '.join(bad)}")
        return f"sha256 of {len(recorded)} files matches ({p.manifest.sha256[:16]}...)"
    digest = backup_manifest.sha256_file(dump)
    if digest != p.manifest.sha256:
        raise RollbackFailed("dump checksum", f"sha256 of {p.manifest.dump_path.name} is "
                             f"{digest}, the manifest says {p.manifest.sha256}")
    return f"sha256 {digest[:16]}... matches"


def _identity(p: RollbackPlan) -> str:
    """Identity through both URLs, and a verifying role that reads every row."""
    described = check_identity(p.manifest, p.target_url, p.admin_target)
    url, label = p.verify_at(p.target)
    try:
        conn = connect(url, name=label, application_name="cutover rollback")
    except TargetError as exc:
        raise RollbackFailed("database identity", str(exc)) from None
    try:
        row = conn.execute("SELECT current_user, rolsuper OR rolbypassrls FROM pg_catalog.pg_roles"
                           " WHERE rolname = current_user").fetchone()
    finally:
        conn.close()
    if not row or not row[1]:
        raise RollbackFailed("database identity", f"the verifying role {row[0] if row else '?'}"
                             f" ({label}) is subject to row-level security and cannot compare "
                             "every row with the backup; verify as the BYPASSRLS backup role "
                             f"({VERIFY_URL_VAR})")
    return f"{described}; verifying as {row[0]}"


def _restore(p: RollbackPlan) -> str:
    with restore.admin_connection(p.admin_url) as admin:
        kept = restore.swapped_in_by(admin, p.target, p.manifest.sha256)
        if kept:
            p.already_swapped = kept
            return (f"{p.target} already is the restore of this backup (an interrupted run "
                    f"swapped it in; the replaced database is kept as {kept}): not restoring "
                    "or swapping again")
        restore.drop_leftovers(admin, p.target, p.work, p.log)
        restore.create_work_database(admin, p.work, p.manifest)
        restore.apply_database_properties(admin, p.work, p.manifest)
    report = restore.run_pg_restore(p.pg_restore, p.manifest.dump_path,
                                    with_database(p.admin_url, p.work), p.secrets,
                                    p.hooks.on_restore_start, jobs=p.jobs)
    for line in matview_notes(p.manifest, report.matviews):
        p.log(f"    {line}")
    jobs = f" with {p.jobs} jobs" if p.jobs > 1 else ""
    return f"pg_restore into {p.work}{jobs} in {report.seconds:.2f}s"


def matview_notes(manifest: Manifest, counts: dict[str, int]) -> list[str]:
    """One line per refreshed materialized view, against the rows the backup recorded (a
    view holds derived data: a dump never carries it, every restore recomputes it)."""
    lines = []
    for name, rows in counts.items():
        had = manifest.tables.get(name, {}).get("rows")
        note = "" if had is None or had == rows else (
            f" (the backed-up view held {had}: it was stale, or its owner can no longer "
            "read its base tables — see PM-052)")
        lines.append(f"refreshed {name}: {rows} rows{note}")
    return lines


def _verify_work(p: RollbackPlan) -> str:
    if p.already_swapped:
        return "skipped: verified before the interrupted run swapped it in (step 7 re-checks)"
    url, label = p.verify_at(p.work)
    found = verify_database(url, p.manifest, content=True, workers=p.workers, name=label)
    p.checks.extend(found)
    require("verify restored database", found, p.log)
    return f"{p.work} equals the backup; {p.target} not touched yet"


def _swap(p: RollbackPlan) -> str:
    if p.already_swapped:
        return f"skipped: already swapped in (the replaced database is kept as {p.already_swapped})"
    with restore.admin_connection(p.admin_url) as admin:
        restore.finish_work_database(admin, p.work, p.manifest)
        restore.swap(admin, p.target, p.work, p.kept,
                     p.manifest.doc["database"].get("comment"), p.log,
                     sha256=p.manifest.sha256)
    return f"{p.target} is the restored database; the replaced one is kept as {p.kept}"


def _verify_live(p: RollbackPlan) -> str:
    check_identity(p.manifest, p.target_url, p.admin_target)
    url, label = p.verify_at(p.target)
    found = verify_database(url, p.manifest, content=bool(p.already_swapped), name=label)
    p.checks.extend(found)
    require("verify live database", found, p.log)
    return p.manifest.identity.describe()


def _redeploy(p: RollbackPlan) -> str:
    if p.hooks.redeploy is None:
        return "no redeploy hook configured (skipped)"
    out = p.hooks.redeploy()
    return out.splitlines()[-1] if out else "redeploy command succeeded"


def _gate(p: RollbackPlan) -> str:
    if p.hooks.post_rollback_gate is None:
        return "no post-rollback gate configured (skipped)"
    if not p.hooks.post_rollback_gate(p.manifest.path):
        raise RollbackFailed("post-rollback gate", "the gate did not pass")
    return "passed"


# The runbook's order, validation first; see the module docstring for why redeploy precedes
# the gate.
DISABLE_STEP = "disable writes"
VERIFY_URL_VAR = "SOLVEREIGN_BACKUP_DB_URL"
_STEP_FUNCTIONS: tuple[tuple[str, Callable[[RollbackPlan], Any]], ...] = (
    ("dump checksum", _dump_checksum),
    ("database identity", _identity),
    (DISABLE_STEP, lambda p: p.hooks.disable_writes()),
    ("restore", _restore),
    ("verify restored database", _verify_work),
    ("swap in", _swap),
    ("verify live database", _verify_live),
    ("redeploy", _redeploy),
    ("post-rollback gate", _gate),
    ("enable writes", lambda p: p.hooks.enable_writes()),
)


def plan(target_url: str, admin_url: str, backup: Path, *, hooks: Hooks | None = None,
         log: Log = print, secrets: list[str] | None = None, workers: int = 2,
         verify_url: str | None = None, jobs: int | None = None) -> RollbackPlan:
    """Validate every input (URLs, manifest, dump present, tools): bad input is exit 2
    with nothing changed."""
    validate_url(target_url, "--db-url")
    validate_url(admin_url, "SOLVEREIGN_ADMIN_DB_URL")
    if verify_url:
        validate_url(verify_url, VERIFY_URL_VAR)
    manifest = backup_manifest.load(Path(backup))
    if not manifest.dump_path.exists():
        raise ConfigError(f"dump file {manifest.dump_path} named by {manifest.path} is missing")
    pg_restore = pgrun.resolve_tool(
        "pg_restore", int(manifest.doc["database"]["server_version_num"]) // 10000)
    secrets = [s for s in [*(secrets or []), pgrun.split_password(target_url).password,
                           pgrun.split_password(admin_url).password,
                           pgrun.split_password(verify_url).password if verify_url else None]
               if s]
    if jobs is not None and jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, got {jobs}")
    return RollbackPlan(manifest, target_url, admin_url, pg_restore, hooks or Hooks(), log,
                        secrets, workers, verify_url or "", jobs or manifest.jobs)


def rollback(target_url: str, admin_url: str, backup: Path, *, hooks: Hooks | None = None,
             log: Log = print, secrets: list[str] | None = None,
             workers: int = 2, verify_url: str | None = None,
             journal: list[dict] | None = None, jobs: int | None = None) -> RollbackResult:
    """Run the rollback end to end; RollbackFailed (exit 1) naming the failed step/check,
    RollbackBusy (exit 1) while another rollback of the database runs, ConfigError/
    TargetError (exit 2) for bad input found before anything changed. `journal`, when
    given, receives each step's start, end and outcome as it happens (also on failure).
    `jobs`: pg_restore workers (default: as many as the backup's pg_dump used)."""
    p = plan(target_url, admin_url, backup, hooks=hooks, log=log, secrets=secrets,
             workers=workers, verify_url=verify_url, jobs=jobs)
    return execute(p, journal)


def execute(p: RollbackPlan, journal: list[dict] | None = None) -> RollbackResult:
    """Run a validated plan's steps under the rollback lock (see rollback); a caller that
    must act between validating and changing anything (the incident capture) plans first."""
    log = p.log
    log(f"rollback of {mask_url(p.target_url)} to {p.manifest.dump_path.name} "
        f"(ledger head {p.manifest.ledger_head})")
    holder = lock.acquire(restore.maintenance_url(p.admin_url), p.target)
    try:
        steps = _Steps(log, p.secrets, len(_STEP_FUNCTIONS), journal)
        for name, fn in _STEP_FUNCTIONS:
            steps.run(name, lambda fn=fn: fn(p))
    finally:
        holder.close()
    return RollbackResult(p.target, p.work, p.already_swapped or p.kept, p.checks,
                          steps.timings)

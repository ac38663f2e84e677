"""Applying migrations so that a database is never left half-migrated.

Semantics match `psql -X -v ON_ERROR_STOP=1 --single-transaction -f FILE` per file:
statements run one by one inside one transaction, together with the file's ledger
row; the first error rolls the whole file back and stops the run. Around that:
a session advisory lock (dies with the connection, so a killed run leaves no stale
lock), lock_timeout/statement_timeout on the session, bounded retries when a lock
cannot be had, checksums against the ledger, and an invalid-index sweep at the end.

A file cannot reach outside its transaction or session (docs/operations.md): statements that
would are refused by name before anything is applied (cutover.migrate.escapes); each
file runs on a fresh session of its own, so nothing it sets reaches the next file; the
advisory lock lives on the runner's own session, which no file's statement can release,
and is re-checked inside each file's transaction before it commits.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import errors as pgerrors

from cutover.errors import MigrationError
from cutover.migrate import escapes, ledger
from cutover.migrate.files import Migration, discover
from cutover.migrate.plan import Plan, build_plan
from cutover.migrate.sqlsplit import split_statements
from cutover.pg.connect import connect

# Any 64-bit constant works; this one spells "SOLVEREIGN" loosely and is documented.
ADVISORY_LOCK_KEY = 0x501E_4E16_2025
INVALID_INDEXES_SQL = """
SELECT n.nspname || '.' || c.relname
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT i.indisvalid ORDER BY 1
"""


@dataclass(frozen=True)
class RunnerOptions:
    """Knobs of one run; defaults are safe for a production window."""

    lock_timeout: str = "5s"
    statement_timeout: str = "15min"
    lock_wait_seconds: float = 30.0
    lock_retries: int = 3
    retry_backoff_seconds: float = 1.0
    target: str | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class Applied:
    """What one file's application cost."""

    name: str
    duration_ms: int
    attempts: int


Log = Callable[[str], None]


def _say(log: Log | None, line: str) -> None:
    if log:
        log(line)


def load_plan(conn: psycopg.Connection, directory: Path) -> Plan:
    """Files on disk against the ledger of the connected database."""
    return build_plan(discover(directory), ledger.applied(conn))


def _acquire_lock(conn: psycopg.Connection, wait: float) -> None:
    """Take the session advisory lock or fail naming who holds it."""
    deadline = time.monotonic() + wait
    while True:
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_LOCK_KEY,)).fetchone()
        if row and row[0]:
            return
        if time.monotonic() >= deadline:
            holder = conn.execute(
                "SELECT a.pid, a.usename, a.application_name, a.backend_start::text"
                "  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.locktype = 'advisory' AND l.granted"
                "   AND ((l.classid::bigint << 32) | l.objid::bigint) = %s LIMIT 1",
                (ADVISORY_LOCK_KEY,),
            ).fetchone()
            who = (f"pid {holder[0]}, user {holder[1]}, application {holder[2]!r}, "
                   f"connected since {holder[3]}") if holder else "an unknown session"
            raise MigrationError(
                f"another migration runner holds the lock ({who}); "
                f"gave up after waiting {wait:g}s"
            )
        time.sleep(0.2)


def _error_line(m: Migration, line: int, exc: psycopg.Error) -> str:
    """One line naming file, line and the server's message."""
    diag = exc.diag
    msg = (diag.message_primary or str(exc)).strip()
    where = f"{m.path.name}:{line}"
    code = f" [{diag.sqlstate}]" if diag.sqlstate else ""
    return f"{where}: {msg}{code}"


LOCK_HELD_SQL = """SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks
 WHERE locktype = 'advisory' AND granted AND pid = %s
   AND ((classid::bigint << 32) | objid::bigint) = %s)"""


def _run_statements(conn: psycopg.Connection, m: Migration, path: Path | None = None) -> None:
    """Execute each statement, re-raising with the line it started on."""
    text = m.text if path is None else path.read_text()
    for stmt in split_statements(text, source=(path or m.path).name):
        try:
            conn.execute(stmt.text)  # type: ignore[arg-type]  # file text is trusted SQL
        except psycopg.Error as exc:
            exc.cutover_line = stmt.line  # type: ignore[attr-defined]
            exc.cutover_file = path.name if path else m.path.name  # type: ignore[attr-defined]
            raise


def _require_lock(conn: psycopg.Connection, lock_pid: int | None, m: Migration) -> None:
    """Commit only while the runner's session still holds the lock (else roll back)."""
    if lock_pid is None:
        return
    if not conn.execute(LOCK_HELD_SQL, (lock_pid, ADVISORY_LOCK_KEY)).fetchone()[0]:
        raise MigrationError(f"{m.path.name}: the runner's advisory lock is no longer held "
                             f"by its session (pid {lock_pid}); nothing of it was applied")


def _apply_once(conn: psycopg.Connection, m: Migration, lock_pid: int | None = None) -> int:
    """Apply one file (and its verify script) with its ledger row; returns ms taken."""
    started = time.monotonic()
    if m.transactional:
        with conn.transaction():
            _run_statements(conn, m)
            if m.verify_path:
                _run_statements(conn, m, m.verify_path)
            conn.execute("RESET ROLE")
            _require_lock(conn, lock_pid, m)
            elapsed = int((time.monotonic() - started) * 1000)
            ledger.record(conn, version=m.version, name=m.name, sha256=m.sha256,
                          duration_ms=elapsed, success=True, transactional=True)
        return elapsed
    _run_statements(conn, m)  # autocommit: the one idempotent statement
    elapsed = int((time.monotonic() - started) * 1000)
    with conn.transaction():
        _require_lock(conn, lock_pid, m)
        ledger.record(conn, version=m.version, name=m.name, sha256=m.sha256,
                      duration_ms=elapsed, success=True, transactional=False)
    return elapsed


def _record_failure(conn: psycopg.Connection, m: Migration, error: str, started: float) -> None:
    """Keep an audit row of the failed attempt (outside the rolled-back transaction)."""
    try:
        with conn.transaction():
            ledger.record(conn, version=m.version, name=m.name, sha256=m.sha256,
                          duration_ms=int((time.monotonic() - started) * 1000),
                          success=False, transactional=m.transactional, error=error[:2000])
    except psycopg.Error:
        pass  # the failure itself is what matters; the audit row is best effort


def apply_one(conn: psycopg.Connection, m: Migration, opts: RunnerOptions,
              log: Log | None = None, lock_pid: int | None = None) -> Applied:
    """Apply one file, retrying a bounded number of times when a lock times out."""
    started = time.monotonic()
    for attempt in range(1, opts.lock_retries + 2):
        try:
            return Applied(m.name, _apply_once(conn, m, lock_pid), attempt)
        except pgerrors.LockNotAvailable as exc:
            if attempt > opts.lock_retries:
                error = _error_line(m, getattr(exc, "cutover_line", 0), exc)
                _record_failure(conn, m, error, started)
                raise MigrationError(
                    f"{error} — still blocked after {attempt} attempts with "
                    f"lock_timeout={opts.lock_timeout}; nothing of {m.path.name} was applied"
                ) from None
            _say(log, f"  {m.name}: lock not available (attempt {attempt}), retrying")
            time.sleep(opts.retry_backoff_seconds * attempt)
        except psycopg.Error as exc:
            line = getattr(exc, "cutover_line", 0)
            fname = getattr(exc, "cutover_file", m.path.name)
            error = _error_line(m, line, exc).replace(m.path.name, fname, 1)
            _record_failure(conn, m, error, started)
            applied_note = ("nothing of it was applied" if m.transactional
                            else "the statement may need a re-run")
            raise MigrationError(f"{error} — stopped; {applied_note}") from None
    raise AssertionError("unreachable")  # the loop always returns or raises


def invalid_indexes(conn: psycopg.Connection) -> list[str]:
    """Indexes a failed CREATE INDEX CONCURRENTLY left behind (IF NOT EXISTS skips them)."""
    return [r[0] for r in conn.execute(INVALID_INDEXES_SQL).fetchall()]


def _session(url: str, opts: RunnerOptions, name: str) -> psycopg.Connection:
    """A new session with the run's timeouts (each file gets one: a clean session)."""
    conn = connect(url, application_name=name)
    conn.execute("SELECT pg_catalog.set_config('lock_timeout', %s, false),"
                 " pg_catalog.set_config('statement_timeout', %s, false)",
                 (opts.lock_timeout, opts.statement_timeout))
    return conn


def refused(todo: list[Migration]) -> list[str]:
    """Every statement of the pending files (and their verify scripts) that is refused."""
    out: list[str] = []
    for m in todo:
        out += escapes.refusals(m.path, m.text, m.transactional)
        if m.verify_path:
            out += escapes.refusals(m.verify_path, m.verify_path.read_text(), m.transactional)
    return out


def migrate(url: str, directory: Path, opts: RunnerOptions | None = None,
            log: Log | None = None) -> list[Applied]:
    """Apply every pending file up to the target; refuse on drift; sweep invalid indexes."""
    opts = opts or RunnerOptions()
    with _session(url, opts, "cutover-migrate") as conn:
        files = discover(directory)
        if opts.dry_run:
            return _dry_run(build_plan(files, ledger.applied(conn)), opts, log)
        _acquire_lock(conn, opts.lock_wait_seconds)
        try:
            ledger.ensure_ledger(conn)
            plan = build_plan(files, ledger.applied(conn))
            if plan.drift:
                raise MigrationError("refusing to migrate: " + "; ".join(plan.drift))
            todo = plan.upto(opts.target)
            if not todo:
                _say(log, f"nothing to apply; head is {plan.head}")
                return []
            problems = refused(todo)
            if problems:
                raise MigrationError("refusing to migrate (nothing was applied): "
                                     + "; ".join(problems))
            done = []
            for m in todo:
                with _session(url, opts, f"cutover-migrate {m.version}") as file_conn:
                    result = apply_one(file_conn, m, opts, log, lock_pid=conn.info.backend_pid)
                _say(log, f"applied {m.name} in {result.duration_ms} ms")
                done.append(result)
            bad = invalid_indexes(conn)
            if bad:
                raise MigrationError(
                    "invalid indexes left by a failed CREATE INDEX CONCURRENTLY: "
                    + ", ".join(bad) + " (drop them and re-run)"
                )
            return done
        finally:
            if not conn.closed:
                # a session that is gone took its lock with it
                with contextlib.suppress(psycopg.Error):
                    conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))


def _dry_run(plan: Plan, opts: RunnerOptions, log: Log | None) -> list[Applied]:
    """Print what would happen; change nothing (not even the ledger)."""
    for line in plan.drift:
        _say(log, f"DRIFT: {line}")
    todo = plan.upto(opts.target)
    _say(log, f"head: {plan.head or '(empty ledger)'}; would apply {len(todo)} file(s):")
    for m in todo:
        mode = "transaction" if m.transactional else "no-transaction"
        _say(log, f"  {m.name}  sha256 {m.sha256[:12]}  {mode}")
    problems = refused(todo)
    for line in problems:
        _say(log, f"REFUSED: {line}")
    if plan.drift or problems:
        raise MigrationError("refusing to migrate: " + "; ".join(plan.drift + problems))
    return []

"""What a rollback proves (cutover.rollback.procedure): the target is the database the
backup was taken of, and a restored database equals the backup's manifest — ledger head,
ownership and ACLs, sequences, every table's rows and checksum. The backup's restore check
(cutover.backup.restore_check) uses the same comparison."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from cutover.backup import facts as dbfacts
from cutover.backup.manifest import Manifest
from cutover.errors import EXIT_FAIL, CutoverError, TargetError
from cutover.pg.connect import connect

Log = Callable[[str], None]


class RollbackFailed(CutoverError):
    """A step or check failed (exit 1); the message names it."""

    exit_code = EXIT_FAIL

    def __init__(self, step: str, detail: str, writes_disabled: bool = True) -> None:
        note = ("; writes remain DISABLED" if writes_disabled
                else "; writes were not touched")
        super().__init__(f"{step}: {detail}{note}")
        self.step, self.detail, self.writes_disabled = step, detail, writes_disabled


@dataclass(frozen=True)
class Check:
    """One verification and what it found."""

    name: str
    ok: bool
    detail: str


# -- verification ------------------------------------------------------------------------


def _check_tables(conn: psycopg.Connection, manifest: Manifest, content: bool,
                  connect_worker: Callable[[], psycopg.Connection], workers: int
                  ) -> list[Check]:
    """Same tables as the backup; with `content`, the same row counts and checksums."""
    tables = dbfacts.tables(conn)
    have, want = {t.name for t in tables}, set(manifest.tables)
    extra, missing = sorted(have - want), sorted(want - have)
    ok = not extra and not missing
    detail = (f"{len(have)} tables" if ok else
              "; ".join(x for x in (f"missing {', '.join(missing)}" if missing else "",
                                    f"not in the backup {', '.join(extra)}" if extra else "")
                        if x))
    checks = [Check("tables", ok, detail)]
    if not content:
        return checks
    methods = {name: dbfacts.checksum_method(facts.get("checksum"))
               for name, facts in manifest.tables.items()}
    sums = dbfacts.checksum_tables(connect_worker, tables, workers, methods, first=conn)
    wrong = []
    for name, facts in manifest.tables.items():
        if facts.get("kind") != "r":
            continue
        got = sums.get(name)
        if got is None or got["rows"] != facts.get("rows") or got["checksum"] != facts.get(
                "checksum"):
            rows = got["rows"] if got else "none"
            wrong.append(f"{name} ({rows} rows, backup {facts.get('rows')})")
    rows = sum(s["rows"] for s in sums.values())
    checks.append(Check("rows and checksums", not wrong,
                        f"{len(sums)} tables, {rows} rows equal the backup" if not wrong
                        else "differ: " + ", ".join(wrong)))
    return checks


def verify_database(url: str, manifest: Manifest, *, content: bool,
                    workers: int = 2, name: str = "SOLVEREIGN_ADMIN_DB_URL") -> list[Check]:
    """Compare the database at `url` with the manifest (see the module docstring). The role
    of `url` must read every row (BYPASSRLS): the sessions run with row_security off, so a
    role that RLS would filter fails loudly instead of checksumming a subset."""
    conn = connect(url, name=name, application_name="cutover rollback")

    def worker() -> psycopg.Connection:
        c = connect(url, name=name, application_name="cutover rollback")
        dbfacts.prepare_session(c)
        return c

    try:
        dbfacts.prepare_session(conn)
        head = dbfacts.ledger_head(conn)
        checks = [Check("ledger head", head == manifest.ledger_head,
                        f"{head or '(none)'}" + ("" if head == manifest.ledger_head
                                                 else f", backup has {manifest.ledger_head}"))]
        lines = dbfacts.fingerprint(conn)
        diff = dbfacts.fingerprint_diff(manifest.fingerprint, lines)
        shown = "; ".join(diff[:6]) + (f"; ... {len(diff) - 6} more" if len(diff) > 6 else "")
        checks.append(Check("ownership and ACLs", not diff,
                            f"{len(lines)} entries equal the backup's" if not diff
                            else f"{len(diff)} difference(s): {shown}"))
        behind = dbfacts.sequences_behind(conn)
        checks.append(Check("sequences", not behind,
                            "every sequence is ahead of its table" if not behind
                            else "; ".join(behind)))
        checks += _check_tables(conn, manifest, content, worker, workers)
    finally:
        conn.close()
    return checks


def require(step: str, checks: list[Check], log: Log) -> None:
    for c in checks:
        log(f"    {'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}")
    failed = [c for c in checks if not c.ok]
    if failed:
        raise RollbackFailed(step, "check failed: " + ", ".join(
            f"{c.name} ({c.detail})" for c in failed))


# -- identity ------------------------------------------------------------------------------


def _identity_at(url: str, name: str) -> dbfacts.Identity:
    try:
        conn = connect(url, name=name, application_name="cutover rollback")
    except TargetError as exc:
        raise RollbackFailed("database identity", str(exc)) from None
    try:
        ident, _props = dbfacts.identity(conn)
        return ident
    finally:
        conn.close()


def check_identity(manifest: Manifest, target_url: str, admin_target_url: str) -> str:
    """The database we will replace is the one the backup was taken of, through both URLs."""
    want = manifest.identity
    via_admin = _identity_at(admin_target_url, "SOLVEREIGN_ADMIN_DB_URL")
    if via_admin != want:
        raise RollbackFailed("database identity",
                             f"refusing to restore: the backup is of {want.describe()}, "
                             f"the target is {via_admin.describe()}")
    if target_url != admin_target_url:
        via_target = _identity_at(target_url, "--db-url")
        if via_target != via_admin:
            raise RollbackFailed("database identity",
                                 f"--db-url reaches {via_target.describe()} but the admin URL "
                                 f"reaches {via_admin.describe()}: not the same database")
    return want.describe()

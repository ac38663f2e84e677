"""The pre-cutover backup: a verified pg_dump whose manifest proves what it holds
(docs/operations.md).

Taken after the freeze is proven, as the read-only BYPASSRLS backup role:

1. refuse an open write transaction, read the per-table write counters, and open the
   *witness*: a REPEATABLE READ transaction whose snapshot (X0) fixes which transactions
   had committed when the backup started (cutover.backup.slipped_writes);
2. open a REPEATABLE READ transaction, take ACCESS SHARE locks on every table (no DDL can
   slip between our snapshot and pg_dump's own locks), and export its snapshot;
3. run `pg_dump --format=custom --snapshot=<it>` (or `--format=directory --jobs=N`:
   BackupOptions.dump_format) into a temporary file while worker
   connections importing the same snapshot compute every table's row count and content
   checksum: the manifest describes exactly the rows in the dump, and the checksums cost
   little wall time because they run beside pg_dump;
4. prove that no write slipped past the freeze since X0, without waiting on the statistics
   collector: no transaction that had not committed in X0 may have committed since; when
   some did (xids are cluster-wide: autovacuum, other databases), the tables are searched
   for row versions they stamped, and any found refuses the backup naming the tables and
   the transactions (the dump is discarded);
5. `pg_restore --list` must list every table the catalog has; then sha256;
6. the restore check: the dump is restored, exactly as `cutover rollback` restores it, into
   a scratch database (`<db>_bkcheck_<sha12>`, created and dropped with the admin URL) and
   compared with the manifest as the backup role: ledger head, ownership and ACLs,
   sequences, every table's rows and checksum. A dump that does not restore is refused,
   never SUCCESS: `pg_restore --list` reads any archive, while a restore also runs what the
   archive holds (the REFRESH of a materialized view whose owner FORCE RLS blinds, a role
   the cluster lacks, an object the restoring role may not create). A cheaper static check
   would cover only the failures someone thought of; the scratch restore costs about one
   restore and one checksum pass (bench/bench_backup.py measures it);
7. an atomic rename to `solvereign_pre_cutover_<UTC timestamp>.dump` and the manifest
   beside it, written last; if the manifest cannot be written (disk full) the dump is
   removed again: a dump without a manifest is never left under a final name.

A killed backup leaves a hidden `.solvereign_pre_cutover_<pid>_<ns>.dump.partial`; the next
backup into the folder removes those whose process is gone, naming them. Every disk error is
one line naming the path and the errno (ENOSPC, EFBIG, ...), exit 1.

The password reaches pg_dump through its environment only (cutover.pg.run).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from cutover import atomicfile
from cutover.backup import facts as dbfacts
from cutover.backup import slipped_writes
from cutover.backup.archive import (
    DUMP_PREFIX,
    BackupRefused,
    disk_error,
    dump_format_args,
    place,
    remove_path,
    remove_stale_partials,
    verify_archive,
)
from cutover.backup.manifest import (
    DUMP_SUFFIX,
    FORMAT,
    digest,
    manifest_path,
)
from cutover.backup.options import BackupOptions, BackupResult, BackupRun
from cutover.backup.restore_check import restore_check
from cutover.errors import ConfigError
from cutover.pg import run as pgrun
from cutover.pg.connect import connect
from cutover.pg.url import mask_url, validate_url

# pg_database columns a restore into a new database must reproduce (never OIDs).
_CATALOG_KEYS = ("datcollate", "datctype", "datlocprovider", "daticulocale", "datlocale",
                 "daticurules", "datconnlimit", "datallowconn")
Log = Callable[[str], None]


def _say(log: Log | None, line: str) -> None:
    if log:
        log(line)


def _utc(ts: datetime | None = None) -> datetime:
    return (ts or datetime.now(UTC)).astimezone(UTC)


# -- preflight ---------------------------------------------------------------------------


def _preflight(conn: psycopg.Connection, tables: list[dbfacts.Table]) -> None:
    """Refuse, before anything is written, a role that cannot produce a complete dump."""
    row = conn.execute("SELECT rolsuper OR rolbypassrls, current_user FROM pg_catalog.pg_roles"
                       " WHERE rolname = current_user").fetchone()
    bypass, role = (bool(row[0]), row[1]) if row else (False, "?")
    if not bypass:
        rls = conn.execute("SELECT count(*) FROM pg_catalog.pg_class WHERE relrowsecurity"
                           " AND relnamespace <> 'pg_catalog'::regnamespace").fetchone()
        if rls and rls[0]:
            raise ConfigError(f"role {role} is subject to row-level security: pg_dump would "
                              "miss rows; back up as the BYPASSRLS backup role "
                              "(SOLVEREIGN_BACKUP_DB_URL)")
    denied = conn.execute(
        "SELECT c.oid::regclass::text FROM pg_catalog.pg_class c"
        " WHERE c.relkind IN ('r','p','m','S') AND c.relnamespace::regnamespace::text"
        "       NOT IN ('pg_catalog','information_schema') AND c.relpersistence <> 't'"
        "   AND c.relnamespace::regnamespace::text NOT LIKE 'pg\\_%%'"
        "   AND NOT pg_catalog.has_table_privilege(c.oid, 'SELECT') ORDER BY 1").fetchall()
    if denied:
        names = ", ".join(r[0] for r in denied[:8]) + (" ..." if len(denied) > 8 else "")
        raise ConfigError(f"role {role} cannot read {len(denied)} relation(s): {names} "
                          "(grant pg_read_all_data to the backup role)")
    if not tables:
        raise ConfigError("the database holds no tables to back up")


# -- the snapshot and the dump -------------------------------------------------------------


def _snapshot_reader(url: str, tag: str) -> psycopg.Connection:
    """A backup session about to open a read-only REPEATABLE READ transaction: the kind
    that exports the snapshot and the kind that imports it."""
    conn = connect(url, name="backup URL", application_name=tag)
    dbfacts.prepare_session(conn)
    conn.autocommit = False
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    return conn


def _snapshot_session(url: str, tables: list[dbfacts.Table], lock_wait: str, tag: str
                      ) -> tuple[psycopg.Connection, dict[str, Any]]:
    """Open the exporting transaction: lock every table, then take and export the snapshot."""
    conn = _snapshot_reader(url, tag)
    # LOCK and SET do not take the snapshot; the SELECT after them does, so the locks are
    # held before the snapshot exists and no DDL can come between the two.
    conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(lock_wait)))
    names = sql.SQL(", ").join(sql.Identifier(t.schema, t.relname) for t in tables
                               if t.kind in ("r", "p"))  # LOCK refuses materialized views
    try:
        conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS SHARE MODE").format(names))
    except psycopg.errors.LockNotAvailable:
        conn.close()
        raise BackupRefused(f"could not lock every table within {lock_wait} (DDL running?); "
                            "nothing was written") from None
    row = conn.execute(
        "SELECT pg_catalog.pg_export_snapshot(), pg_catalog.now(),"
        " pg_catalog.pg_current_wal_lsn()::text").fetchone()
    assert row is not None
    return conn, {"id": row[0], "started_at": _utc(row[1]).isoformat(), "start_lsn": row[2]}


def _snapshot_importer(url: str, snapshot_id: str, tag: str
                       ) -> Callable[[], psycopg.Connection]:
    """A factory of connections that read exactly the exported snapshot."""

    def factory() -> psycopg.Connection:
        conn = _snapshot_reader(url, tag)
        conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot_id)))
        return conn

    return factory


def _dump_args(tmp: Path, snapshot_id: str, options: BackupOptions) -> list[str]:
    return [*dump_format_args(options.dump_format, options.jobs, options.compress),
            f"--lock-wait-timeout={options.lock_wait_timeout}", f"--snapshot={snapshot_id}",
            f"--file={tmp}", "--no-password"]


def _finish_dump(proc: subprocess.Popen, secrets: list[str]) -> None:
    """Wait for pg_dump; its failure is the backup's failure, in one masked line."""
    _out, err = proc.communicate()
    if proc.returncode != 0:
        raise BackupRefused(f"pg_dump failed (exit {proc.returncode}): "
                            f"{pgrun.last_error(err, secrets)}")


# -- the whole backup ----------------------------------------------------------------------


def _inspect(run: BackupRun, ctl: psycopg.Connection) -> tuple[list[dbfacts.Table], str, str]:
    """Identity, tools and preflight: everything that can be bad input, before any wait."""
    dbfacts.prepare_session(ctl)
    ident, props = dbfacts.identity(ctl)
    role = ctl.execute("SELECT current_user").fetchone()[0]  # type: ignore[index]
    _say(run.log, f"backup of {ident.describe()} as {role} ({mask_url(run.url)})")
    major = int(props["server_version_num"]) // 10000
    pg_dump = pgrun.resolve_tool("pg_dump", major)
    pg_restore = pgrun.resolve_tool("pg_restore", major)
    tables = dbfacts.tables(ctl)
    _preflight(ctl, tables)
    try:
        run.out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create backup folder {run.out_dir}: {exc.strerror}") from None
    if not os.access(run.out_dir, os.W_OK):
        raise ConfigError(f"backup folder {run.out_dir} is not writable")
    run.facts.update(ident=ident, props=props, role=role,
                     pg_dump=pgrun.tool_version_text("pg_dump", major))
    return tables, pg_dump, pg_restore


def _prove_no_writes(run: BackupRun, ctl: psycopg.Connection, witness: slipped_writes.Witness,
                     tables: list[dbfacts.Table]) -> dict[str, Any]:
    """Step 4: nothing written since the witness snapshot, or BackupRefused naming it."""
    scannable = [t.name for t in tables if t.kind in ("r", "m")]
    proof = slipped_writes.prove(witness, ctl, run.tag, scannable, run.options.stats_settle,
                                 run.log)
    run.timings["slipped_writes_proof"] = proof["seconds"]
    run.timings["settle_after"] = proof["settled_seconds"]
    _say(run.log, f"  no write since the witness snapshot ({proof['suspect_transactions']} "
                  f"suspect transaction(s), {len(proof['scanned'])} table(s) searched, "
                  f"{proof['seconds']:.2f}s)")
    return proof


def _dump(run: BackupRun, tables: list[dbfacts.Table], pg_dump: str, tmp: Path) -> None:
    """pg_dump in the locked, exported snapshot, with the checksums read beside it."""
    if run.options.before_snapshot:
        run.options.before_snapshot()
    snap, snapshot = _snapshot_session(run.url, tables, run.options.lock_wait_timeout, run.tag)
    try:
        in_snapshot = dbfacts.tables(snap)
        if [t.name for t in in_snapshot] != [t.name for t in tables]:
            raise BackupRefused("the set of tables changed while the backup started "
                                "(DDL during the freeze?)")
        run.facts.update(snapshot=snapshot, head=dbfacts.ledger_head(snap),
                         fingerprint=dbfacts.fingerprint(snap))
        _say(run.log, f"  snapshot {snapshot['id']} at {snapshot['start_lsn']}; "
                      f"ledger head {run.facts['head'] or '(none)'}")
        if run.options.after_snapshot:
            run.options.after_snapshot()
        started = time.monotonic()
        proc = pgrun.start(pg_dump, _dump_args(tmp, snapshot["id"], run.options),
                           run.conn, application_name=run.tag)
        try:
            # the exporting session is a worker too: it is idle while pg_dump runs
            checks = dbfacts.checksum_tables(_snapshot_importer(run.url, snapshot["id"], run.tag),
                                             in_snapshot, run.options.workers, first=snap)
        except BaseException:
            proc.kill()
            proc.communicate()
            raise
        _finish_dump(proc, run.secrets)
        run.timings["dump"] = time.monotonic() - started
        checks.update(dbfacts.matview_rows(snap, in_snapshot))
        run.facts["checks"] = checks
        _say(run.log, f"  pg_dump done in {run.timings['dump']:.2f}s; "
                      f"{sum(c['rows'] for c in checks.values())} rows checksummed")
    finally:
        snap.close()


def _verify(run: BackupRun, tables: list[dbfacts.Table], pg_restore: str, tmp: Path) -> None:
    """The archive lists every table; record its size and sha256."""
    started = time.monotonic()
    run.facts["toc"] = verify_archive(pg_restore, tmp, tables)
    run.timings["verify"] = time.monotonic() - started
    _say(run.log, f"  pg_restore --list: {run.facts['toc']} entries, every table present")
    directory = run.options.dump_format == "directory"
    run.facts.update(digest=digest(tmp), format=run.options.dump_format,
                     jobs=run.options.jobs if directory else 1, compress=run.options.compress)


def take_backup(url: str, out_dir: Path, options: BackupOptions | None = None,
                log: Log | None = None, *, secrets: list[str] | None = None) -> BackupResult:
    """Dump the database at `url` into `out_dir` with a manifest; BackupRefused if the dump
    cannot be trusted. `secrets` are masked in any message (the URL's password always is)."""
    validate_url(url, "backup URL")
    conn = pgrun.split_password(url)
    run = BackupRun(url, Path(out_dir), options or BackupOptions(), log,
               [s for s in [*(secrets or []), conn.password] if s], conn)
    if run.options.restore_check_url:
        validate_url(run.options.restore_check_url, "SOLVEREIGN_ADMIN_DB_URL")
        run.secrets += [p for p in [pgrun.split_password(run.options.restore_check_url).password]
                        if p]
    started = time.monotonic()
    ctl = connect(url, name="backup URL", application_name=run.tag)
    try:
        tables, pg_dump, pg_restore = _inspect(run, ctl)
        remove_stale_partials(run.out_dir, log)
        witness = slipped_writes.open_witness(url, ctl, run.tag)
        before = witness.counters
        _say(log, f"  witness snapshot at xid {witness.xmax}; counters read for "
                  f"{len(before)} table(s)")
        tmp = run.out_dir / f".{DUMP_PREFIX}{os.getpid()}_{time.time_ns()}{DUMP_SUFFIX}.partial"
        final, done = None, False
        try:
            _dump(run, tables, pg_dump, tmp)
            proof = _prove_no_writes(run, ctl, witness, tables)
            witness.close()
            after = proof.pop("counters_after")
            run.facts["slipped_writes"] = proof
            _verify(run, tables, pg_restore, tmp)
            run.facts["end_lsn"] = dbfacts.wal_position(ctl)
            stamp = datetime.fromisoformat(run.facts["snapshot"]["started_at"])
            stamp_text = stamp.strftime("%Y%m%dT%H%M%SZ")
            doc = _manifest_doc(run.out_dir / f"{DUMP_PREFIX}{stamp_text}{DUMP_SUFFIX}",
                                run.facts, before, after, tables)
            doc["restore_check"] = (restore_check(run, pg_restore, tmp, doc)
                                    if run.options.restore_check_url else None)
            final = place(tmp, run.out_dir, stamp_text)
            doc["dump"]["file"] = final.name
            mpath = manifest_path(final)
            try:
                atomicfile.write_json(mpath, doc)
            except OSError as exc:
                raise disk_error(mpath, exc) from None
            done = True
        except OSError as exc:
            raise disk_error(Path(exc.filename) if exc.filename else tmp, exc) from None
        finally:
            witness.close()
            if not done:
                for leftover in (tmp, final):
                    if leftover is not None:
                        with contextlib.suppress(OSError):
                            remove_path(leftover)
    finally:
        ctl.close()
    run.timings["total"] = time.monotonic() - started
    _say(log, f"  dump     {final} ({run.facts['digest']['size_bytes']} bytes, "
              f"{run.facts['format']} format)")
    _say(log, f"  sha256   {run.facts['digest']['sha256']}")
    _say(log, f"  manifest {mpath}")
    return BackupResult(final, mpath, doc, run.timings)


def _manifest_doc(final: Path, facts: dict[str, Any], before: dbfacts.Counters,
                  after: dbfacts.Counters, tables: list[dbfacts.Table]) -> dict[str, Any]:
    """The manifest document (schema: cutover.backup.manifest)."""
    ident: dbfacts.Identity = facts["ident"]
    props = facts["props"]
    checks = facts["checks"]
    return {
        "format": FORMAT,
        "dump": {"file": final.name, **facts["digest"], "format": facts["format"],
                 "jobs": facts["jobs"], "compress": facts["compress"],
                 "toc_entries": facts["toc"]},
        "database": {
            "system_identifier": ident.system_identifier, "name": ident.name,
            "server_version": props["server_version"],
            "server_version_num": props["server_version_num"],
            "owner": props["owner"], "encoding": props["encoding"],
            "comment": props["comment"], "acl": props["acl"], "settings": props["settings"],
            "catalog": {k: v for k, v in (props["props"] or {}).items() if k in _CATALOG_KEYS},
        },
        "ledger_head": facts["head"],
        "snapshot": {**facts["snapshot"], "finished_at": _utc().isoformat(),
                     "end_lsn": facts["end_lsn"]},
        "taken_by": {"role": facts["role"], "pg_dump": facts["pg_dump"]},
        "counters": {"before": before, "after": after},
        "slipped_writes": facts["slipped_writes"],
        "tables": {t.name: {"kind": t.kind, **checks.get(t.name, {})}
                   for t in sorted(tables, key=lambda t: t.name)},
        "fingerprint": {"sha256": dbfacts.fingerprint_sha256(facts["fingerprint"]),
                        "lines": facts["fingerprint"]},
    }

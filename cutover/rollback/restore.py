"""Restoring a backup by building a fresh database and swapping it in by name.

Why not `pg_restore --clean` into the live database: `--clean` drops only the objects the
dump contains. Everything created after the backup (the 025* policies on new tables, new
functions, ownership handed to the definer role, default privileges, extra grants) would
survive the "rollback", and the restore would need ACCESS EXCLUSIVE locks on every table
while the application is still connected. Instead:

1. `<db>_restore_<sha12>` is created from template0 with the backed-up owner, encoding,
   locale and connection limit, marked as a cutover work database (its comment);
2. `pg_restore --exit-on-error --clean --if-exists --single-transaction` fills it as the
   admin role (ownership and grants as dumped; `--clean --if-exists` is a no-op on the empty
   database and keeps the command identical to the runbook's); the database-level grants and
   settings, which a dump restored without --create does not carry, come from the manifest.
   With --jobs N, N workers cannot share one transaction: a failure leaves a half-filled work
   database, never swapped in, dropped by a re-run. A non-superuser restores in steps
   (cutover.rollback.owners): ownership needs CREATE for the new owner.
   Materialized views are refreshed afterwards, not by pg_restore: pg_restore runs with
   `row_security = off`, under which a REFRESH whose owner is subject to row-level security
   (FORCE binds even the table owner) is an error rather than a filter, so a dump of the
   hardened schema could not be restored at all. The deferred refresh runs in an ordinary
   session (row security on), as the view's owner like every REFRESH, in the dump's order;
   it needs no superuser (the migrator of a managed target, a member of the owner roles,
   can run it);
3. the caller verifies it (nothing is live yet, a failed check changes nothing);
4. one transaction renames the live database to `<db>_rolledback_<UTC timestamp>` (kept for
   forensics; drop it once the incident is closed) and the work database to `<db>`.

Interrupting is safe at every point: before the swap the live database is untouched and a
re-run drops the marked work database and starts over; the swap is one transaction, so the
name `<db>` always points at a whole database; after it, a re-run restores and swaps again.
"""

from __future__ import annotations

import functools
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from cutover.backup.manifest import Manifest
from cutover.errors import EXIT_FAIL, ConfigError, CutoverError
from cutover.pg import run
from cutover.pg.connect import connect
from cutover.pg.url import with_database
from cutover.rollback import owners

MARKER = "cutover rollback work database"
CHECK_INFIX = "_bkcheck_"
MAX_NAME = 63  # NAMEDATALEN - 1
SWAP_ATTEMPTS = 5
# GUCs whose stored value is a list to be split, as pg_dump's variable_is_guc_list_quote.
_LIST_GUCS = {"local_preload_libraries", "search_path", "session_preload_libraries",
              "shared_preload_libraries", "temp_tablespaces", "unix_socket_directories"}

Log = Callable[[str], None]


class RestoreFailed(CutoverError):
    """pg_restore or the swap failed; the live database is as it was (exit 1)."""

    exit_code = EXIT_FAIL


def _bounded(prefix: str, suffix: str) -> str:
    """`prefix + suffix` cut to PostgreSQL's 63-byte limit, always keeping the suffix."""
    room = MAX_NAME - len(suffix.encode())
    cut = prefix.encode()[:room].decode(errors="ignore")
    return cut + suffix


def work_name(target: str, sha256: str) -> str:
    """Deterministic per backup, so a re-run finds what an interrupted run left."""
    return _bounded(target, f"_restore_{sha256[:12]}")


def check_name(target: str, sha256: str) -> str:
    """The scratch database a backup restores its dump into to prove it restores."""
    return _bounded(target, f"{CHECK_INFIX}{sha256[:12]}")


def rolledback_name(target: str, stamp: str) -> str:
    """Where the replaced (post-cutover) database is kept."""
    return _bounded(target, f"_rolledback_{stamp}")


def maintenance_url(admin_url: str) -> str:
    """Create, drop and rename from `postgres`: never from a database being renamed."""
    return with_database(admin_url, "postgres")


def database_exists(conn: psycopg.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM pg_catalog.pg_database WHERE datname = %s",
                       (name,)).fetchone()
    return row is not None


def _comment(conn: psycopg.Connection, name: str) -> str | None:
    row = conn.execute(
        "SELECT pg_catalog.shobj_description(oid, 'pg_database') FROM pg_catalog.pg_database"
        " WHERE datname = %s", (name,)).fetchone()
    return row[0] if row else None


def drop_leftover(conn: psycopg.Connection, name: str, log: Log, what: str = "rollback") -> None:
    """Drop an interrupted run's work database, and only one we marked as ours."""
    if not database_exists(conn, name):
        return
    if not (_comment(conn, name) or "").startswith(MARKER):
        raise ConfigError(f"database {name!r} exists and is not a cutover work database; "
                          "refusing to drop it (rename or drop it yourself)")
    log(f"  dropping {name} left by an interrupted {what}")
    conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def drop_leftovers(conn: psycopg.Connection, target: str, work: str, log: Log,
                   infix: str = "_restore_", what: str = "rollback") -> list[str]:
    """Drop every work database an interrupted run for `target` left (of this backup or
    another: `<target><infix>*`, marked as ours), naming each; a foreign database under
    this run's own work name is refused. The caller holds the rollback lock."""
    prefix = _bounded(target, infix)
    names = [r[0] for r in conn.execute(
        "SELECT datname FROM pg_catalog.pg_database WHERE left(datname, %s) = %s"
        " ORDER BY datname", (len(prefix), prefix))]
    if work not in names:
        names.append(work)
    dropped = []
    for name in names:
        if name != work and not (_comment(conn, name) or "").startswith(MARKER):
            continue  # not ours and not in our way
        if database_exists(conn, name):
            drop_leftover(conn, name, log, what)
            dropped.append(name)
    return dropped


def drop_database(conn: psycopg.Connection, name: str) -> None:
    """Drop a work database this run created (disconnecting anyone first)."""
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def swapped_in_by(conn: psycopg.Connection, target: str, sha256: str) -> str | None:
    """The kept database whose comment says that the live `target` is the restore of the
    backup `sha256` (a run killed after its swap); None otherwise."""
    row = conn.execute(
        "SELECT k.datname FROM pg_catalog.pg_database k, pg_catalog.pg_database t"
        " WHERE t.datname = %s AND pg_catalog.shobj_description(k.oid, 'pg_database')"
        "       = %s || t.oid::text ORDER BY k.datname DESC LIMIT 1",
        (target, _kept_comment_prefix(sha256))).fetchone()
    return row[0] if row else None


def _kept_comment_prefix(sha256: str) -> str:
    return f"cutover rollback: replaced by the restore of backup sha256 {sha256}, database oid "


def create_work_database(conn: psycopg.Connection, name: str, manifest: Manifest) -> None:
    """CREATE DATABASE like the backed-up one (owner, encoding, locale), marked as ours."""
    db = manifest.doc["database"]
    cat: dict[str, Any] = db.get("catalog") or {}
    opts = [sql.SQL("TEMPLATE template0 OWNER {} ENCODING {}").format(
        sql.Identifier(db["owner"]), sql.Literal(db["encoding"]))]
    provider = {"c": "libc", "i": "icu", "b": "builtin"}.get(cat.get("datlocprovider") or "c")
    opts.append(sql.SQL("LOCALE_PROVIDER {}").format(sql.SQL(provider or "libc")))
    if cat.get("datcollate"):
        opts.append(sql.SQL("LC_COLLATE {}").format(sql.Literal(cat["datcollate"])))
    if cat.get("datctype"):
        opts.append(sql.SQL("LC_CTYPE {}").format(sql.Literal(cat["datctype"])))
    icu = cat.get("daticulocale") or cat.get("datlocale")
    if icu and provider == "icu":
        opts.append(sql.SQL("ICU_LOCALE {}").format(sql.Literal(icu)))
    if cat.get("daticurules"):
        opts.append(sql.SQL("ICU_RULES {}").format(sql.Literal(cat["daticurules"])))
    stmt = sql.SQL("CREATE DATABASE {} ").format(sql.Identifier(name)) + sql.SQL(" ").join(opts)
    conn.execute(stmt)
    conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
        sql.Identifier(name), sql.Literal(f"{MARKER} for {manifest.dump_path.name}; "
                                          "safe to drop")))


def _grant_statements(name: str, owner: str, acl: list[dict[str, Any]]) -> list[sql.Composed]:
    """REVOKE the defaults, then re-grant exactly the backed-up items, each as its grantor
    (PostgreSQL records a superuser's grant as the owner's; others need SET ROLE)."""
    db = sql.Identifier(name)
    out = [sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db),
           sql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(db, sql.Identifier(owner))]
    for item in sorted(acl, key=lambda a: (a["grantor"] != owner, a["grantor"])):
        grantee = (sql.SQL("PUBLIC") if item["grantee"] == "PUBLIC"
                   else sql.Identifier(item["grantee"]))
        grant = sql.SQL("GRANT {} ON DATABASE {} TO {}{}").format(
            sql.SQL(item["privilege_type"]), db, grantee,
            sql.SQL(" WITH GRANT OPTION") if item["is_grantable"] else sql.SQL(""))
        if item["grantor"] != owner:
            grant = sql.SQL("SET ROLE {}; {}; RESET ROLE").format(
                sql.Identifier(item["grantor"]), grant)
        out.append(grant)
    return out


def split_guc_list(value: str) -> list[str]:
    """`"$user", public` → ['$user', 'public'] (SplitGUCList: commas, double quotes)."""
    items, cur, quoted, i = [], "", False, 0
    while i < len(value):
        ch = value[i]
        if quoted:
            if ch == '"' and value[i + 1:i + 2] == '"':
                cur, i = cur + '"', i + 1
            elif ch == '"':
                quoted = False
            else:
                cur += ch
        elif ch == '"':
            quoted = True
        elif ch == ",":
            items.append(cur.strip())
            cur = ""
        else:
            cur += ch
        i += 1
    if cur.strip() or items:
        items.append(cur.strip())
    return items


def _setting_statements(name: str, settings: list[dict[str, Any]]) -> list[sql.Composed]:
    """ALTER DATABASE / ALTER ROLE ... IN DATABASE ... SET, as pg_dump would write them."""
    out = []
    for entry in settings:
        for cfg in entry["config"]:
            guc, _, value = cfg.partition("=")
            values = split_guc_list(value) if guc.lower() in _LIST_GUCS else [value]
            rhs = sql.SQL(", ").join(sql.Literal(v) for v in values)
            target = (sql.SQL("ALTER ROLE {} IN DATABASE {}").format(
                sql.Identifier(entry["role"]), sql.Identifier(name)) if entry["role"]
                else sql.SQL("ALTER DATABASE {}").format(sql.Identifier(name)))
            out.append(sql.SQL("{} SET {} TO {}").format(target, sql.Identifier(guc), rhs))
    return out


def apply_database_properties(conn: psycopg.Connection, name: str, manifest: Manifest) -> None:
    """Grants and settings of the backed-up database (not carried by a dump without --create)."""
    db = manifest.doc["database"]
    for stmt in [*_grant_statements(name, db["owner"], db["acl"]),
                 *_setting_statements(name, db["settings"])]:
        conn.execute(stmt)


_MATVIEW_DATA = re.compile(r"^(?P<id>\d+; \d+ \d+) MATERIALIZED VIEW DATA "
                           r"(?P<schema>\S+) (?P<name>\S+) (?P<owner>\S+)$")


@dataclass
class RestoreReport:
    """What a restore did: its duration and the materialized views it refreshed."""

    seconds: float
    matviews: dict[str, int] = field(default_factory=dict)  # name -> rows after refresh


def deferred_list(toc: str) -> tuple[str, list[tuple[str, str]]]:
    """`pg_restore --list` output with every MATERIALIZED VIEW DATA entry commented out,
    and those views as (schema, name) in the archive's (dependency) order."""
    lines, views = [], []
    for line in toc.splitlines():
        m = _MATVIEW_DATA.match(line.strip())
        if m:
            views.append((m.group("schema"), m.group("name")))
            line = ";" + line
        lines.append(line)
    return "\n".join(lines) + "\n", views


def refresh_matviews(work_url: str, views: list[tuple[str, str]]) -> dict[str, int]:
    """REFRESH each view in one transaction with row security on (the view's owner reads
    what its policies let it read, never an error); returns each view's row count."""
    counts: dict[str, int] = {}
    if not views:
        return counts
    with connect(work_url, name="SOLVEREIGN_ADMIN_DB_URL",
                 application_name="cutover rollback", autocommit=False) as conn:
        conn.execute("SET LOCAL row_security = on")
        for schema, name in views:
            ident = sql.Identifier(schema, name)
            conn.execute(sql.SQL("REFRESH MATERIALIZED VIEW {}").format(ident))
            row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(ident)).fetchone()
            counts[f"{schema}.{name}"] = int(row[0]) if row else 0
        conn.commit()
    return counts


def run_pg_restore(pg_restore: str, dump: Path, work_url: str, secrets: list[str],
                   on_start: Callable[[int], None] | None = None, jobs: int = 1
                   ) -> RestoreReport:
    """Fill the work database; any error aborts the single transaction (exit-on-error).
    Materialized views are refreshed after it (see the module docstring)."""
    conn = run.split_password(work_url)
    masked = [*secrets, conn.password or ""]
    started = time.monotonic()
    listing = run.run(pg_restore, ["--list", str(dump)], timeout=600)
    if listing.returncode != 0:
        raise RestoreFailed(f"pg_restore --list failed: {run.last_error(listing.stderr, masked)}"
                            "; the live database was not touched")
    use_list, views = deferred_list(listing.stdout)
    one = functools.partial(_pg_restore_pass, pg_restore, dump, conn, masked=masked,
                            on_start=on_start, jobs=jobs)
    with connect(work_url, name="SOLVEREIGN_ADMIN_DB_URL",
                 application_name="cutover rollback") as admin:
        if owners.is_superuser(admin):
            one(use_list)
        else:  # a managed target's admin: ownership needs CREATE for the new owner
            steps = owners.split(use_list)
            one(steps.schemas)
            granted = owners.grant_create(admin, steps)
            one(steps.rest)
            owners.revoke_create(admin, granted)
            one(steps.schema_acls)
    try:
        counts = refresh_matviews(work_url, views)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RestoreFailed(f"refreshing the materialized views failed: {first}; "
                            "the live database was not touched") from None
    return RestoreReport(time.monotonic() - started, counts)


def _pg_restore_pass(pg_restore: str, dump: Path, conn: run.Conn, use_list: str, *,
                     masked: list[str], on_start: Callable[[int], None] | None,
                     jobs: int = 1) -> None:
    """One pg_restore of the entries in `use_list`, in one transaction (or `jobs` parallel
    workers), stopping at the first error (RestoreFailed naming it)."""
    with tempfile.NamedTemporaryFile("w", prefix="cutover-restore-", suffix=".list") as fh:
        fh.write(use_list)
        fh.flush()
        proc = run.start(pg_restore, ["--exit-on-error", "--clean", "--if-exists", "--no-password",
                                        "--single-transaction" if jobs == 1 else f"--jobs={jobs}",
                                        f"--use-list={fh.name}", str(dump)], conn,
                           stdout=None)
        if on_start:
            on_start(proc.pid)
        _out, err = proc.communicate()
    if proc.returncode != 0:
        raise RestoreFailed(f"pg_restore failed (exit {proc.returncode}): "
                            f"{run.last_error(err, masked)}; "
                            "the live database was not touched")


def finish_work_database(conn: psycopg.Connection, name: str, manifest: Manifest) -> None:
    """Settings that would have hindered the restore itself (connections not allowed)."""
    cat = manifest.doc["database"].get("catalog") or {}
    limit = cat.get("datconnlimit")
    if isinstance(limit, int) and limit != -1:
        conn.execute(sql.SQL("ALTER DATABASE {} CONNECTION LIMIT {}").format(
            sql.Identifier(name), sql.Literal(limit)))


def swap(conn: psycopg.Connection, target: str, work: str, old: str,
         comment: str | None, log: Log, *, sha256: str = "") -> None:
    """Rename live → old and work → live in one transaction, disconnecting both first; the
    kept database's comment records which restore replaced it (a re-run after a kill past
    this point must not swap again). Retried: an application reconnecting between the
    disconnect and the rename makes PostgreSQL refuse the rename ("being accessed by other
    users")."""
    cat = None
    for attempt in range(1, SWAP_ATTEMPTS + 1):
        conn.execute("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity"
                     " WHERE datname IN (%s, %s) AND pid <> pg_catalog.pg_backend_pid()",
                     (target, work))
        try:
            with conn.transaction():
                conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(target), sql.Identifier(old)))
                conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(work), sql.Identifier(target)))
                conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(target), sql.Literal(comment)))
                row = conn.execute("SELECT oid::text FROM pg_catalog.pg_database"
                                   " WHERE datname = %s", (target,)).fetchone()
                conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(old),
                    sql.Literal(_kept_comment_prefix(sha256) + (row[0] if row else "?"))))
            return
        except psycopg.errors.ObjectInUse as exc:
            cat = exc
            log(f"  swap attempt {attempt}: {str(exc).splitlines()[0]}; retrying")
            time.sleep(0.5 * attempt)
    raise RestoreFailed(f"could not swap the restored database in: {cat}; "
                        f"the live database {target!r} is unchanged")


def admin_connection(admin_url: str) -> psycopg.Connection:
    """An autocommit admin session on the maintenance database."""
    return connect(maintenance_url(admin_url), name="SOLVEREIGN_ADMIN_DB_URL",
                   application_name="cutover rollback")

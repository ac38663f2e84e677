"""Active cross-tenant probes as the api role (PM-080): each runs in a transaction rolled back.

The catalog checks say what the policies are; these say what they do. As the api role
with tenant A set (and, in a variant, one setting a policy reads switched on), a
probe tries to see, change, insert into, truncate or escape to tenant B, on any relation
the role can read in any non-system schema; every attempt must see nothing, touch
nothing or be refused. These probes write (and roll back): never run in production,
where the read-only variant (PM-081) covers the reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import errors, sql

from checks.p3_postmigration.definer_probes import definer_leak
from checks.p3_postmigration.probe_targets import Relation, definer_functions, other_roles
from checks.p3_postmigration.readonly_probes import LEAK, ReadProber

OPERATIONS = ("read", "update_other", "delete_other", "insert_other", "move_own",
              "truncate", "set_role", "disable_rls", "unset_tenant", "definer_functions")
# Operations that do not act on the drawn relation, and what their findings name instead.
UNBOUND = {"definer_functions": "definer functions", "set_role": "session"}
WRITES = ("update_other", "delete_other", "insert_other", "move_own", "truncate", "disable_rls")


@dataclass(frozen=True)
class Outcome:
    """What one probe saw; `leak` is None when the boundary held."""

    table: str
    operation: str
    leak: str | None


def probe(conn: psycopg.Connection, rel: Relation, op: str, a: str, b: str,
          setting: tuple[str, str] | None = None) -> Outcome:
    """One probe as the api role with tenant `a` set (and `setting` = (name, value)), inside a
    rolled-back transaction. A probe the target stalls fails in bounded time (the session's
    statement and lock timeouts), it never hangs."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute("SELECT pg_catalog.set_config('app.tenant_id', %s, true)",
                         ("" if op == "unset_tenant" else a,))
            if setting:
                conn.execute("SELECT pg_catalog.set_config(%s, %s, true)", setting)
            leak = _run(conn, rel, op, a, b)
    except (errors.QueryCanceled, errors.LockNotAvailable) as exc:
        leak = f"probe did not finish in bounded time ({_first_line(exc)})"
    if leak and setting:
        leak += f" with {setting[0]}={setting[1]!r}"
    return Outcome(UNBOUND.get(op, rel.label), op, leak)


def _run(conn: psycopg.Connection, rel: Relation, op: str, a: str, b: str) -> str | None:
    """Dispatch one operation; a message when the boundary did not hold."""
    t = rel.ident
    if op == "read":
        return _read(conn, rel, a, b)
    if op == "definer_functions":
        found = definer_leak(conn, definer_functions(conn), a, [b])
        return " ".join(found) if found else None
    if op == "unset_tenant":
        if not rel.tenant_column:
            return None
        prober = ReadProber(conn, [a, b])
        return "rows visible with the tenant unset" if prober.any_rows(rel) else \
            _prober_leak(prober)
    if op == "set_role":
        return _set_role_escape(conn)
    if op in WRITES and not (rel.table and rel.tenant_column):
        return None  # writing probes judge tables with a tenant key; views are read-probed
    if op == "update_other":
        cur = conn.execute(sql.SQL("UPDATE {} SET tenant_id = tenant_id WHERE tenant_id = %s")
                           .format(t), (b,)) if _can(conn, rel, "UPDATE") else None
        return f"{cur.rowcount} rows of {b} updated" if cur and cur.rowcount else None
    if op == "delete_other":
        cur = conn.execute(sql.SQL("DELETE FROM {} WHERE tenant_id = %s").format(t),
                           (b,)) if _can(conn, rel, "DELETE") else None
        return f"{cur.rowcount} rows of {b} deleted" if cur and cur.rowcount else None
    if op == "insert_other":
        stmt = sql.SQL("INSERT INTO {t} SELECT (pg_catalog.jsonb_populate_record(NULL::{t}, "
                       "pg_catalog.to_jsonb(x) OPERATOR(pg_catalog.||) "
                       "pg_catalog.jsonb_build_object('tenant_id', %s::text))).* "
                       "FROM {t} x LIMIT 1"
                       ).format(t=t)
        return f"a row for {b} was inserted" if _affected(conn, stmt, (b,)) else None
    if op == "move_own":
        stmt = sql.SQL("UPDATE {t} SET tenant_id = %s WHERE ctid = "
                       "(SELECT ctid FROM {t} WHERE tenant_id = %s LIMIT 1)").format(t=t)
        if not _can(conn, rel, "UPDATE"):
            return None
        return f"an own row was moved to {b}" if _affected(conn, stmt, (b, a)) else None
    if op == "truncate":
        return None if _refused(conn, sql.SQL("TRUNCATE {}").format(t)) else "TRUNCATE allowed"
    if op == "disable_rls":
        return None if _refused(conn, sql.SQL("ALTER TABLE {} DISABLE ROW LEVEL SECURITY")
                                .format(t)) else "DISABLE ROW LEVEL SECURITY allowed"
    raise ValueError(op)


def _read(conn: psycopg.Connection, rel: Relation, a: str, b: str) -> str | None:
    """B's rows through the relation: by its tenant key (an index lookup), else any value
    naming B in a LIMITed read of what it shows."""
    prober = ReadProber(conn, [a, b])
    if rel.tenant_column:
        if prober.has_tenant(rel, b):
            return f"rows of tenant {b} visible"
    elif any(b in row for row in prober.sample(rel)):
        return f"a row naming tenant {b} visible"
    return _prober_leak(prober)


def _prober_leak(prober: ReadProber) -> str | None:
    """A read that could not finish in bounded time is a failure too."""
    found = [f.detail for f in prober.report.findings if f.verdict == LEAK]
    return found[0] if found else None


def _affected(conn: psycopg.Connection, stmt: sql.Composable, params: tuple) -> int:
    """Rows a write changed; 0 when it was refused, or stopped by a constraint (the row did
    not go in: nothing proven either way, the read probes and catalog checks judge it)."""
    try:
        with conn.transaction():
            return max(conn.execute(stmt, params).rowcount, 0)
    except (errors.InsufficientPrivilege, errors.CheckViolation, errors.FeatureNotSupported,
            errors.ObjectNotInPrerequisiteState, errors.IntegrityConstraintViolation):
        return 0


def _refused(conn: psycopg.Connection, stmt: sql.Composable, params: tuple = ()) -> bool:
    """True when the statement is refused (and the savepoint undone either way)."""
    try:
        with conn.transaction():
            conn.execute(stmt, params)
    except (errors.InsufficientPrivilege, errors.CheckViolation, errors.FeatureNotSupported,
            errors.ObjectNotInPrerequisiteState):
        return True
    return False


def _set_role_escape(conn: psycopg.Connection) -> str | None:
    """SET ROLE to every other role of the cluster must be refused (membership, granted
    directly or through a group, would let the api role act with that role's rights)."""
    for role in other_roles(conn):
        if not _refused(conn, sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role))):
            return f"SET ROLE {role} allowed"
    return None


def _can(conn: psycopg.Connection, rel: Relation, privilege: str) -> bool:
    return bool(conn.execute("SELECT pg_catalog.has_table_privilege(current_user, %s::oid, %s)",
                             (rel.oid, privilege)).fetchone()[0])


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

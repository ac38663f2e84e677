"""Active cross-tenant probes as the api role: each runs in a transaction rolled back.

The catalog checks say what the policies are; these say what they do. As the api role
with tenant A set, a probe tries to see, change, insert into, truncate or escape to
tenant B; every attempt must see nothing, touch nothing or be refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import errors, sql

TENANT_TABLES_SQL = """
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('core', 'roster', 'routing') AND c.relkind IN ('r', 'p')
   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
                  AND NOT a.attisdropped)
   AND coalesce(obj_description(c.oid, 'pg_class'), '') NOT LIKE 'GLOBAL: %'
   AND has_table_privilege(current_user, c.oid, 'SELECT')
 ORDER BY 1, 2"""
OPERATIONS = ("read", "update_other", "delete_other", "insert_other", "move_own",
              "truncate", "set_role_owner", "disable_rls", "unset_tenant", "definer_functions")
DEFINER_FUNCTIONS_SQL = """
SELECT p.oid::regprocedure::text, coalesce(array_to_string(p.proargtypes::regtype[], ','), '')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.prosecdef AND p.proretset AND n.nspname IN ('core', 'roster', 'routing')
   AND has_function_privilege(current_user, p.oid, 'EXECUTE')
 ORDER BY 1"""


@dataclass(frozen=True)
class Outcome:
    """What one probe saw; `leak` is None when the boundary held."""

    table: str
    operation: str
    leak: str | None


def tenant_tables(conn: psycopg.Connection) -> list[str]:
    """Tenant tables the api role can at least read."""
    return [f"{s}.{t}" for s, t in conn.execute(TENANT_TABLES_SQL).fetchall()]


def _ident(table: str) -> sql.Identifier:
    schema, name = table.split(".")
    return sql.Identifier(schema, name)


def _refused(conn: psycopg.Connection, stmt: sql.Composable, params: tuple = ()) -> bool:
    """True when the statement is refused (and the savepoint undone either way)."""
    try:
        with conn.transaction():
            conn.execute(stmt, params)
    except (errors.InsufficientPrivilege, errors.CheckViolation, errors.FeatureNotSupported,
            errors.ObjectNotInPrerequisiteState):
        return True
    return False


def probe(conn: psycopg.Connection, table: str, op: str, a: str, b: str) -> Outcome:
    """One probe as the api role with tenant `a` set, inside a rolled-back transaction."""
    t = _ident(table)
    with conn.transaction(force_rollback=True):
        conn.execute("SELECT set_config('app.tenant_id', %s, true)",
                     ("" if op == "unset_tenant" else a,))
        leak = _run(conn, t, table, op, b)
    return Outcome(table, op, leak)


def _run(conn: psycopg.Connection, t: sql.Identifier, table: str, op: str,
         b: str) -> str | None:
    """Dispatch one operation; a message when the boundary did not hold."""
    if op == "read":
        n = conn.execute(sql.SQL("SELECT count(*) FROM {} WHERE tenant_id <> "
                                 "current_setting('app.tenant_id')").format(t)).fetchone()[0]
        return f"{n} rows of other tenants visible" if n else None
    if op == "definer_functions":
        return _definer_leaks(conn, b)
    if op == "unset_tenant":
        n = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(t)).fetchone()[0]
        return f"{n} rows visible with the tenant unset" if n else None
    if op == "update_other":
        cur = conn.execute(sql.SQL("UPDATE {} SET tenant_id = tenant_id WHERE tenant_id = %s")
                           .format(t), (b,)) if _can(conn, table, "UPDATE") else None
        return f"{cur.rowcount} rows of {b} updated" if cur and cur.rowcount else None
    if op == "delete_other":
        cur = conn.execute(sql.SQL("DELETE FROM {} WHERE tenant_id = %s").format(t),
                           (b,)) if _can(conn, table, "DELETE") else None
        return f"{cur.rowcount} rows of {b} deleted" if cur and cur.rowcount else None
    if op == "insert_other":
        stmt = sql.SQL("INSERT INTO {t} SELECT (jsonb_populate_record(NULL::{t}, to_jsonb(x)"
                       " || jsonb_build_object('tenant_id', %s::text))).* FROM {t} x LIMIT 1"
                       ).format(t=t)
        return None if _refused(conn, stmt, (b,)) or not _own_rows(conn, t) else \
            f"a row for {b} was inserted"
    if op == "move_own":
        stmt = sql.SQL("UPDATE {t} SET tenant_id = %s WHERE ctid = (SELECT ctid FROM {t} LIMIT 1)"
                       ).format(t=t)
        if not _can(conn, table, "UPDATE") or not _own_rows(conn, t):
            return None
        return None if _refused(conn, stmt, (b,)) else f"an own row was moved to {b}"
    if op == "truncate":
        return None if _refused(conn, sql.SQL("TRUNCATE {}").format(t)) else "TRUNCATE allowed"
    if op == "set_role_owner":
        return None if _refused(conn, sql.SQL("SET LOCAL ROLE solvereign_owner")) else \
            "SET ROLE solvereign_owner allowed"
    if op == "disable_rls":
        return None if _refused(conn, sql.SQL("ALTER TABLE {} DISABLE ROW LEVEL SECURITY")
                                .format(t)) else "DISABLE ROW LEVEL SECURITY allowed"
    raise ValueError(op)


def _definer_leaks(conn: psycopg.Connection, b: str) -> str | None:
    """Call every set-returning definer function the role may execute, with arguments it can
    guess (a date: each day of the tenant's latest week; text: an unknown value); no row may
    carry another tenant's id or one of its sites."""
    own_sites = {r[0] for r in conn.execute("SELECT code FROM core.sites")}
    week = conn.execute("SELECT date_trunc('week', max(starts_at))::date FROM roster.shifts"
                        ).fetchone()[0]
    for fn, args in conn.execute(DEFINER_FUNCTIONS_SQL).fetchall():
        values = {"": (), "date": (week,), "text": ("probe-" + "0" * 58,)}.get(args)
        if values is None or (args == "date" and week is None):
            continue  # arguments the probe cannot guess: judged by the catalog checks only
        name = fn.split("(")[0]
        cur = conn.execute(sql.SQL("SELECT * FROM {}({})").format(
            sql.Identifier(*name.split(".")),
            sql.SQL(", ").join([sql.Placeholder()] * len(values))), values)
        cols = [d.name for d in cur.description or []]
        for row in cur.fetchall():
            rec = dict(zip(cols, row, strict=True))
            if rec.get("tenant_id") not in (None, conn.execute(
                    "SELECT current_setting('app.tenant_id')").fetchone()[0]):
                return f"{fn} returned a row of tenant {rec['tenant_id']}"
            if "site_code" in rec and own_sites and rec["site_code"] not in own_sites:
                return f"{fn} returned a row of site {rec['site_code']} (not this tenant's)"
    return None


def _can(conn: psycopg.Connection, table: str, privilege: str) -> bool:
    return bool(conn.execute("SELECT has_table_privilege(current_user, %s, %s)",
                             (table, privilege)).fetchone()[0])


def _own_rows(conn: psycopg.Connection, t: sql.Identifier) -> bool:
    return bool(conn.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(t)).fetchone()[0])

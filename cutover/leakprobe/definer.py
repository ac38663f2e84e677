"""Calling the definer functions the api role may execute, as one tenant (PM-080, PM-081).

A SECURITY DEFINER function runs with its owner's rights, so RLS as the caller does not
protect what it returns: each set-returning one is called with arguments the probe can
guess (none; a date: the tenant's latest week; text: an unknown value) and no row may
carry another tenant's id, name another probe tenant, or show a site not the tenant's.
"""

from __future__ import annotations

import psycopg
from psycopg import errors, sql

from cutover.leakprobe.targets import DefinerFunction


def definer_leak(conn: psycopg.Connection, functions: list[DefinerFunction], a: str,
                 others: list[str]) -> tuple[str, str] | None:
    """The first function that returned another tenant's row as tenant `a`: (its
    signature, what it returned)."""
    own_sites = {r[0] for r in conn.execute("SELECT code FROM core.sites")}
    week = conn.execute("SELECT pg_catalog.date_trunc('week', pg_catalog.max(starts_at))::date "
                        "FROM roster.shifts").fetchone()[0]
    for fn in functions:
        values = {"": (), "date": (week,), "text": ("probe-" + "0" * 58,)}.get(fn.args)
        if values is None or (fn.args == "date" and week is None):
            continue  # arguments the probe cannot guess: judged by the catalog checks only
        try:
            cols, rows = _call(conn, fn, values)
        except (errors.QueryCanceled, errors.LockNotAvailable):
            return fn.signature, "did not finish in bounded time"
        except psycopg.Error:
            continue  # it refuses these arguments: judged by the catalog checks only
        for row in rows:
            rec = dict(zip(cols, row, strict=True))
            if rec.get("tenant_id") not in (None, a):
                return fn.signature, f"returned a row of tenant {rec['tenant_id']}"
            named = [b for b in others if b in (str(v) for v in row if v is not None)]
            if named:
                return fn.signature, f"returned a row naming tenant {named[0]}"
            if "site_code" in rec and own_sites and rec["site_code"] not in own_sites:
                return fn.signature, (f"returned a row of site {rec['site_code']} "
                                      "(not this tenant's)")
    return None


def _call(conn: psycopg.Connection, fn: DefinerFunction, values: tuple
          ) -> tuple[list[str], list[tuple]]:
    """Column names and rows of one call, in a savepoint (an error undoes only the call)."""
    with conn.transaction():
        cur = conn.execute(sql.SQL("SELECT * FROM {}({})").format(
            sql.Identifier(fn.schema, fn.name),
            sql.SQL(", ").join([sql.Placeholder()] * len(values))), values)
        return [d.name for d in cur.description or []], cur.fetchall()

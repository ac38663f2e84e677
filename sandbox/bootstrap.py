"""Cluster bootstrap for the sandbox: the roles of DESIGN §3.1 with fresh passwords.

This is the DBA's part of a real platform (roles are cluster-wide and need a
superuser); migrations only ever assume the roles exist. Passwords are generated
here, stored by the caller with mode 0600, and never pass through a migration.
"""

from __future__ import annotations

import secrets

from psycopg import sql

from cutover.db import connect

ROLES = {
    "solvereign_owner": "NOLOGIN NOBYPASSRLS",
    "solvereign_migrator": "LOGIN NOBYPASSRLS",
    "solvereign_api": "LOGIN NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION",
    "solvereign_platform": "LOGIN NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION",
    "solvereign_definer": "NOLOGIN NOBYPASSRLS",
    "solvereign_backup": "LOGIN BYPASSRLS",
    # owns the materialized views: reads their base tables through role-bound policies
    # while refreshing (025g); the owner is its member so the owner's jobs can refresh
    "solvereign_reporting": "NOLOGIN NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION",
}
LOGIN_ROLES = [name for name, attrs in ROLES.items() if attrs.startswith("LOGIN")]
# The migrator acts as the owner (creates objects) and as the definer (hands over functions);
# pg_monitor lets the gate, which connects as the migrator, see every session's state.
# The backup role reads everything through pg_read_all_data (a grant per object misses the
# ledger's sequence and whatever a later migration adds, and pg_dump then fails), and sees
# other sessions through pg_monitor (the backup waits until their write counters are flushed).
MEMBERSHIPS = [("solvereign_owner", "solvereign_migrator"),
               ("solvereign_reporting", "solvereign_owner"),
               ("solvereign_definer", "solvereign_migrator"),
               ("pg_monitor", "solvereign_migrator"),
               ("pg_read_all_data", "solvereign_backup"),
               ("pg_monitor", "solvereign_backup")]


def bootstrap_roles(admin_url: str) -> dict[str, str]:
    """Create or reset the roles; returns fresh passwords of the LOGIN roles."""
    passwords = {role: secrets.token_urlsafe(24) for role in LOGIN_ROLES}
    with connect(admin_url) as conn:
        existing = {r[0] for r in conn.execute(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (list(ROLES),))}
        for role, attrs in ROLES.items():
            verb = "ALTER" if role in existing else "CREATE"
            stmt = sql.SQL("{} ROLE {} " + attrs).format(sql.SQL(verb), sql.Identifier(role))
            if role in passwords:
                stmt += sql.SQL(" PASSWORD {}").format(sql.Literal(passwords[role]))
            conn.execute(stmt)
        for group, member in MEMBERSHIPS:
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group),
                                                          sql.Identifier(member)))
    return passwords


def create_platform_database(admin_url: str, dbname: str) -> None:
    """The platform database, owned by the owner role as in production."""
    with connect(admin_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER solvereign_owner").format(
            sql.Identifier(dbname)))

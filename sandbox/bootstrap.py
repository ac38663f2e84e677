"""Cluster bootstrap for the sandbox: the roles of docs/database.md with fresh passwords.

This is the DBA's part of a real platform (roles are cluster-wide and need a
superuser); migrations only ever assume the roles exist. Passwords are generated
here, stored by the caller with mode 0600, and never pass through a migration.
"""

from __future__ import annotations

import secrets

from psycopg import sql

from cutover.pg.connect import connect
from cutover.pg.url import with_database

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
        _make_roles(conn, ROLES, MEMBERSHIPS, passwords, existing)
    return passwords


def _make_roles(conn, roles: dict[str, str], memberships, passwords: dict[str, str],
                existing: set[str] | frozenset[str] = frozenset()) -> None:
    """CREATE (or ALTER, where it exists) each role with its attributes and password, then
    the memberships: the same statements for the superuser and the managed bootstrap."""
    for role, attrs in roles.items():
        verb = "ALTER" if role in existing else "CREATE"
        stmt = sql.SQL("{} ROLE {} " + attrs).format(sql.SQL(verb), sql.Identifier(role))
        if role in passwords:
            stmt += sql.SQL(" PASSWORD {}").format(sql.Literal(passwords[role]))
        conn.execute(stmt)
    for group, member in memberships:
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group),
                                                      sql.Identifier(member)))


def create_platform_database(admin_url: str, dbname: str) -> None:
    """The platform database, owned by the owner role as in production."""
    with connect(admin_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER solvereign_owner").format(
            sql.Identifier(dbname)))


# -- the managed profile (Azure Database for PostgreSQL Flexible Server's model) ----------
#
# The admin login IS solvereign_migrator: LOGIN CREATEDB CREATEROLE, NOSUPERUSER NOBYPASSRLS,
# holding pg_read_all_settings, pg_read_all_stats and pg_signal_backend and no other
# predefined role. It creates every other role itself (CREATEROLE; on PG16 that gives it
# ADMIN on each) and creates, so owns, the application database.
# The superuser URL is used only by `provider_setup` and `provider_backup_role`: they stand
# in for the provider's control plane (Azure creates the admin login with those grants) and
# for the one role the admin cannot make in stock PostgreSQL: solvereign_backup, BYPASSRLS
# and a member of pg_read_all_data (Azure, PG16+, lets azure_pg_admin create BYPASSRLS
# roles; elsewhere the DBA asks the provider, README table). The provider makes it, not the
# admin: a role the admin creates is one it holds ADMIN on (PG16), so the admin could grant
# itself BYPASSRLS through it, which PM-022 / bypassrls_only_backup rightly name.
MANAGED_ADMIN = "solvereign_migrator"
MANAGED_ADMIN_ATTRS = "LOGIN CREATEDB CREATEROLE NOSUPERUSER NOBYPASSRLS NOREPLICATION"
MANAGED_PREDEFINED = ["pg_read_all_settings", "pg_read_all_stats", "pg_signal_backend"]
# roles the admin creates, with attributes it may give (no BYPASSRLS: CREATEROLE cannot)
MANAGED_BACKUP = "solvereign_backup"
MANAGED_ROLES = {role: attrs for role, attrs in ROLES.items()
                 if role not in (MANAGED_ADMIN, MANAGED_BACKUP)}
MANAGED_MEMBERSHIPS = [(g, m) for g, m in MEMBERSHIPS if not g.startswith("pg_")]


def bootstrap_managed(superuser_url: str, admin_url_for) -> dict[str, str]:
    """The managed roles: the provider makes the admin login, the admin makes the rest.

    `admin_url_for(password)` is the admin login's URL on the maintenance database.
    Returns fresh passwords of the LOGIN roles.
    """
    passwords = {role: secrets.token_urlsafe(24) for role in LOGIN_ROLES}
    provider_setup(superuser_url, passwords[MANAGED_ADMIN])
    with connect(admin_url_for(passwords[MANAGED_ADMIN])) as conn:
        _make_roles(conn, MANAGED_ROLES, MANAGED_MEMBERSHIPS, passwords)
    provider_backup_role(superuser_url, passwords[MANAGED_BACKUP])
    return passwords


def provider_setup(superuser_url: str, password: str) -> None:
    """What the provider does when the server is created: the admin login and its grants."""
    with connect(superuser_url) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} " + MANAGED_ADMIN_ATTRS + " PASSWORD {}").format(
            sql.Identifier(MANAGED_ADMIN), sql.Literal(password)))
        for role in MANAGED_PREDEFINED:
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role),
                                                          sql.Identifier(MANAGED_ADMIN)))


def provider_backup_role(superuser_url: str, password: str) -> None:
    """The backup role (BYPASSRLS, pg_read_all_data), made at the DBA's request by the
    provider; sessions of other roles stay hidden from it (no pg_monitor on a managed
    target), so the backup waits its full bound for their counters."""
    with connect(superuser_url) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} " + ROLES[MANAGED_BACKUP] + " PASSWORD {}").format(
            sql.Identifier(MANAGED_BACKUP), sql.Literal(password)))
        conn.execute(sql.SQL("GRANT pg_read_all_data TO {}").format(
            sql.Identifier(MANAGED_BACKUP)))


def create_managed_database(admin_url: str, dbname: str) -> None:
    """The application database, created (so owned) by the managed admin login.

    The migrations create as solvereign_owner: schemas (CREATE on the database) and
    public.verify_final_hardening() (025e). On PG15+ `public` belongs to pg_database_owner,
    which here is the admin, not solvereign_owner as where the owner role owns the database;
    so the admin, as the database's owner and a member of solvereign_owner, hands `public`
    to solvereign_owner. Database privileges are the admin's to give: 002 grants CONNECT
    and 025f revokes PUBLIC's defaults as solvereign_owner, which only takes effect where
    that role owns the database (elsewhere PostgreSQL just warns), so the admin revokes
    PUBLIC's TEMP and CONNECT and grants CONNECT to the login roles here. None of this needs
    a superuser (README: managed targets).
    """
    ident = sql.Identifier(dbname)
    with connect(admin_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
        conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(ident))
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            ident, sql.SQL(", ").join(sql.Identifier(r) for r in LOGIN_ROLES)))
        conn.execute(sql.SQL("GRANT CREATE ON DATABASE {} TO solvereign_owner").format(ident))
    with connect(with_database(admin_url, dbname)) as conn:
        conn.execute("ALTER SCHEMA public OWNER TO solvereign_owner")

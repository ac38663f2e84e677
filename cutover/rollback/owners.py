"""Restoring ownership as a role that is not superuser (a managed target's admin login).

`ALTER ... OWNER TO r` needs r to hold CREATE on the object's schema, a check a superuser
skips. The hardened schema's definer functions belong to solvereign_definer, which may not
CREATE in `core` (025d grants it for the hand-over and revokes it again), so a dump of it
restored by a non-superuser stops at the first such ALTER ("permission denied for schema
core"). Such a restore therefore runs in steps: the schemas alone; a temporary CREATE on each
for every role that owns something in the dump; everything else; then the temporary grants
are revoked and the schemas' dumped ACL entries applied again, so the result equals the dump
(the rollback and the backup's restore check compare ownership and ACLs with the manifest).
Everything happens in the work database, never the live one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

_SCHEMA = re.compile(r"^\d+; \d+ \d+ SCHEMA - (?P<name>\S+) (?P<owner>\S+)$")
_SCHEMA_ACL = re.compile(r"^\d+; \d+ \d+ ACL - SCHEMA \S+ \S+$")
_ENTRY = re.compile(r"^\d+; \d+ \d+ .* (?P<owner>\S+)$")


@dataclass
class OwnerSteps:
    """The three `--use-list` files of a stepwise restore, and the grants it needs."""

    schemas: str
    rest: str
    schema_acls: str
    schema_names: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)


def is_superuser(conn: psycopg.Connection) -> bool:
    """Whether the restoring session may skip the steps."""
    row = conn.execute("SELECT rolsuper FROM pg_catalog.pg_roles"
                       " WHERE rolname = current_user").fetchone()
    return bool(row and row[0])


def split(use_list: str) -> OwnerSteps:
    """Split a `--use-list` into schemas / everything else / the schemas' ACL entries."""
    head, schemas, rest, acls = [], [], [], []
    names, owners = [], set()
    for line in use_list.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(";"):
            head.append(line)
            continue
        m = _SCHEMA.match(stripped)
        if m:
            schemas.append(line)
            names.append(m.group("name"))
            continue
        rest.append(line)
        if _SCHEMA_ACL.match(stripped):
            acls.append(line)
        e = _ENTRY.match(stripped)
        if e and e.group("owner") != "-":
            owners.add(e.group("owner"))

    def listing(lines: list[str]) -> str:
        return "\n".join(head + lines) + "\n"

    return OwnerSteps(listing(schemas), listing(rest), listing(acls), names, sorted(owners))


def grant_create(conn: psycopg.Connection, steps: OwnerSteps) -> list[tuple[str, str]]:
    """Give each object owner CREATE on each restored schema it lacks it on; returns the
    (schema, role) pairs granted, to be revoked by `revoke_create`."""
    granted = []
    for schema in steps.schema_names:
        for role in steps.owners:
            row = conn.execute(
                "SELECT has_schema_privilege(r.oid, n.oid, 'CREATE') FROM pg_catalog.pg_roles r,"
                " pg_catalog.pg_namespace n WHERE r.rolname = %s AND n.nspname = %s",
                (role, schema)).fetchone()
            if row is None or row[0]:
                continue
            conn.execute(sql.SQL("GRANT CREATE ON SCHEMA {} TO {}").format(
                sql.Identifier(schema), sql.Identifier(role)))
            granted.append((schema, role))
    return granted


def revoke_create(conn: psycopg.Connection, granted: list[tuple[str, str]]) -> None:
    """Take the temporary grants back (the dumped schema ACLs are applied again after)."""
    for schema, role in granted:
        conn.execute(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(
            sql.Identifier(schema), sql.Identifier(role)))

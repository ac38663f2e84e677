"""PostgreSQL providers behind one interface: an explicit URL, an embedded server, a container.

The fixtures and `cutover sandbox` ask a provider for a `Cluster` and never care which
kind it is. Roles are cluster-wide, so whoever needs isolated roles asks for its own
cluster; databases inside a cluster are cheap `CREATE DATABASE ... TEMPLATE` copies.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from psycopg import sql

from cutover.errors import ConfigError
from cutover.pg.connect import connect
from cutover.pg.url import validate_url, with_database


class Cluster(Protocol):
    """A running PostgreSQL server we hold a superuser URL for."""

    admin_url: str

    def stop(self) -> None:
        """Stop the server if this provider started it."""

    def bin_dir(self) -> Path | None:
        """Where pg_dump, pg_restore and psql matching the server live (None: use PATH)."""


def create_database(admin_url: str, name: str, *, template: str | None = None,
                    owner: str | None = None) -> str:
    """CREATE DATABASE name [TEMPLATE t] [OWNER o]; returns the admin URL for it.

    A TEMPLATE copy gets the template's database privileges too: PostgreSQL copies the
    contents but not the ACL, and a copy with PUBLIC's built-in TEMP would not be faithful.
    """
    stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        stmt += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    if owner:
        stmt += sql.SQL(" OWNER {}").format(sql.Identifier(owner))
    with connect(admin_url) as conn:
        conn.execute(stmt)
        if template:
            _copy_database_acl(conn, template, name)
    return with_database(admin_url, name)


def _copy_database_acl(conn, source: str, target: str) -> None:
    """Replay `source`'s explicit database ACL on `target` (nothing to do for the default)."""
    rows = conn.execute(
        "SELECT a.grantee, a.privilege_type, a.is_grantable"
        "  FROM pg_database d, aclexplode(d.datacl) a"
        " WHERE d.datname = %s AND d.datacl IS NOT NULL AND a.grantee <> d.datdba",
        (source,)).fetchall()
    explicit = conn.execute("SELECT datacl IS NOT NULL FROM pg_database WHERE datname = %s",
                            (source,)).fetchone()
    if not explicit or not explicit[0]:
        return
    db = sql.Identifier(target)
    conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db))
    for grantee, privilege, grantable in rows:
        who = sql.SQL("PUBLIC") if grantee == 0 else sql.SQL("{}").format(
            sql.Identifier(conn.execute("SELECT rolname FROM pg_roles WHERE oid = %s",
                                        (grantee,)).fetchone()[0]))
        option = sql.SQL(" WITH GRANT OPTION") if grantable else sql.SQL("")
        conn.execute(sql.SQL("GRANT {} ON DATABASE {} TO {}{}").format(
            sql.SQL(privilege), db, who, option))


def drop_database(admin_url: str, name: str) -> None:
    """Drop a database, disconnecting its sessions first (PG13+ FORCE)."""
    with connect(admin_url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@dataclass
class UrlCluster:
    """A server someone else runs; we only hold its URL and never stop it."""

    admin_url: str

    def stop(self) -> None:
        """Nothing to stop: we did not start it."""

    def bin_dir(self) -> Path | None:
        """Client tools come from PATH for an external server."""
        found = shutil.which("pg_dump")
        return Path(found).parent if found else None


@dataclass
class ContainerCluster:
    """A throwaway PostgreSQL in Docker through testcontainers (only where Docker runs)."""

    image: str = "postgres:16"
    admin_url: str = ""
    _container: object = field(default=None, repr=False)

    def start(self) -> ContainerCluster:
        """Start the container or say clearly why it cannot be."""
        try:
            from testcontainers.postgres import PostgresContainer  # optional extra
        except ImportError:
            raise ConfigError(
                "the container provider needs the 'containers' extra "
                "(pip install 'solvereign-cutover[containers]')"
            ) from None
        if not shutil.which("docker") or not Path("/var/run/docker.sock").exists():
            raise ConfigError("the container provider needs a running Docker engine; none found")
        container = PostgresContainer(self.image, driver=None)
        container.start()
        self._container = container
        self.admin_url = container.get_connection_url()
        return self

    def stop(self) -> None:
        """Remove the container."""
        if self._container is not None:
            self._container.stop()  # type: ignore[attr-defined]
            self._container = None

    def bin_dir(self) -> Path | None:
        """Client tools come from PATH for a container."""
        found = shutil.which("pg_dump")
        return Path(found).parent if found else None


def open_cluster(kind: str | None = None, *, url: str | None = None,
                 data_dir: Path | None = None, fast: bool = False,
                 bin_dir: str | Path | None = None) -> Cluster:
    """Return a running cluster of the requested kind (default: embedded).

    `kind` is `url`, `embedded` or `container`; it defaults to `url` when a URL is
    given and to `embedded` otherwise (SOLVEREIGN_PG_PROVIDER overrides). `bin_dir` runs
    an embedded cluster on another PostgreSQL's binaries (default: the pgserver wheel).
    """
    kind = kind or os.environ.get("SOLVEREIGN_PG_PROVIDER") or ("url" if url else "embedded")
    if kind == "url":
        admin = validate_url(url, "SOLVEREIGN_ADMIN_DB_URL")
        with connect(admin):
            pass  # prove it answers before anyone builds on it
        return UrlCluster(admin)
    if kind == "container":
        return ContainerCluster().start()
    if kind == "embedded":
        from cutover.pg.embedded import EmbeddedCluster

        return EmbeddedCluster(data_dir, fast=fast, bin_dir=bin_dir).start()
    raise ConfigError(f"SOLVEREIGN_PG_PROVIDER must be url, embedded or container (got {kind!r})")


def server_version(url: str) -> str:
    """The server's version string, for report headers."""
    with connect(url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


__all__ = [
    "Cluster",
    "ContainerCluster",
    "UrlCluster",
    "create_database",
    "drop_database",
    "open_cluster",
    "server_version",
]

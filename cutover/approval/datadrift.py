"""Data the gate trusts must not change under it (issue 24.5).

The catalog gate judges the schema; a migration can leave the catalog exactly as reviewed
and still move rows between tenants (re-assign an API key). The backup manifest holds
per-table row counts and content checksums taken with writes frozen; after the
migrations, with writes still frozen, every table must still match them, except the
runner's own ledger and the tables a migration declares it changes
(`-- cutover: changes-data core.api_keys` in a file applied after the backup). For each
changed tenant table, the rows per tenant before (read from the dump itself) and now name
the tenants involved.

The comparison uses the backup's own session settings and checksum methods (cutover.backup.facts,
reused, not copied), on a session of the backup role (it bypasses RLS by design, as the
checksums must see every row).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import psycopg
from psycopg import sql

from cutover.backup import facts
from cutover.backup.manifest import Manifest
from cutover.errors import ConfigError
from cutover.migrate.files import Migration, version_key
from cutover.pg import run

RUNNER_TABLES = {"meta.migration_ledger"}  # the runner writes one row per file, by design
DECLARATION = re.compile(r"^--\s*cutover:\s*changes-data\s+(?P<tables>.+?)\s*$", re.MULTILINE)


@dataclass
class Change:
    """One table whose rows differ from the backup's."""

    table: str
    rows_before: int | None
    rows_after: int | None
    declared_by: str | None = None
    tenants: dict[str, tuple[int, int]] = field(default_factory=dict)  # tenant → (before, now)

    def describe(self) -> str:
        if self.rows_after is None:
            what = "dropped"
        elif self.rows_before is None:
            what = f"new, {self.rows_after} rows"
        elif self.rows_before != self.rows_after:
            what = f"rows {self.rows_before} → {self.rows_after}"
        else:
            what = f"{self.rows_after} rows, content changed"
        moved = ", ".join(f"{t} {b} → {a}" for t, (b, a) in sorted(self.tenants.items())
                          if b != a)
        return f"{self.table}: {what}" + (f"; per tenant: {moved}" if moved else "")


def declared(migrations: list[Migration], after_head: str | None) -> dict[str, str]:
    """table → migration for every `changes-data` declaration of a file applied after the
    backup's ledger head."""
    start = version_key(after_head.split("_", 1)[0]) if after_head else (-1, "")
    out: dict[str, str] = {}
    for m in migrations:
        if m.sort_key <= start:
            continue
        for match in DECLARATION.finditer(m.text):
            for table in re.split(r"[,\s]+", match["tables"].strip()):
                if table:
                    out[table] = m.name
    return out


def _sql(name: str) -> str:
    return resources.files("cutover.approval").joinpath(name).read_text()


def compare(conn: psycopg.Connection, manifest: Manifest) -> list[Change]:
    """Every table whose rows or checksum differ from the manifest (conn: the backup
    role's session, prepared with dbfacts.prepare_session)."""
    live = {t.name: t for t in facts.tables(conn) if t.has_rows}
    recorded = {n: f for n, f in manifest.tables.items() if f.get("kind") == "r"}
    changes: list[Change] = []
    for name in sorted(set(live) | set(recorded)):
        if name in RUNNER_TABLES:
            continue
        before = recorded.get(name)
        if name not in live:
            changes.append(Change(name, before.get("rows") if before else None, None))
            continue
        method = facts.checksum_method(before.get("checksum")) if before else None
        now = facts.checksum_table(conn, live[name], method)
        if before is None:
            if now["rows"]:
                changes.append(Change(name, None, now["rows"]))
        elif (now["rows"], now["checksum"]) != (before.get("rows"), before.get("checksum")):
            changes.append(Change(name, before.get("rows"), now["rows"]))
    return changes


def read_snapshot(conn: psycopg.Connection, snapshot: str | None) -> None:
    """Make the session read the data as an exported snapshot holds it (a REPEATABLE READ
    transaction that imports it), so writes made after the export by steps running beside
    the comparison are not counted; None: the live data, statement by statement. A snapshot
    that does not see the live ledger head (taken before a migration) is refused."""
    if not snapshot:
        return
    live = facts.ledger_head(conn)
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
    seen = facts.ledger_head(conn)
    if seen != live:  # a snapshot held from before the migrations would hide what they did
        raise ConfigError(f"snapshot {snapshot} sees ledger head {seen}, the database is at "
                          f"{live}: it was not taken after the migrations")


def tenant_tables(conn: psycopg.Connection) -> dict[str, tuple[str, str]]:
    """regclass name → (schema, table) as the catalog spells them, for every tenant table."""
    return {r[0]: (r[1], r[2])
            for r in conn.execute(_sql("datadrift_tenant_tables.sql")).fetchall()}


def tenant_counts_now(conn: psycopg.Connection, schema: str, rel: str) -> Counter:
    """Rows per tenant now (identifiers composed by psycopg, never re-parsed from text)."""
    stmt = sql.SQL(_sql("datadrift_tenant_counts.sql")).format(
        table=sql.Identifier(schema, rel))
    return Counter({r[0]: int(r[1]) for r in conn.execute(stmt).fetchall()})


def tenant_counts_in_dump(dump: Path, schema: str, rel: str,
                          server_major: int | None) -> Counter | None:
    """Rows per tenant of the table as the dump holds them (its COPY data), None if the
    dump cannot be read."""
    try:
        tool = run.resolve_tool("pg_restore", server_major)
    except ConfigError:  # no tool: the per-tenant detail is left out, and the check says so
        return None
    proc = run.run(tool, ["--data-only", f"--schema={schema}", f"--table={rel}", "-f", "-",
                            str(dump)], timeout=300)
    if proc.returncode != 0:
        return None
    return _copy_counts(proc.stdout)


def _unescape(value: str) -> str | None:
    """A COPY text-format field: \\N is NULL, backslash escapes a character."""
    if value == "\\N":
        return None
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r"}.get(m[1], m[1]), value)


def _copy_counts(script: str) -> Counter | None:
    """Per-tenant counts of the one COPY block in a pg_restore --data-only script."""
    counts: Counter = Counter()
    column = None
    inside = False
    for line in script.splitlines():
        if not inside:
            m = re.match(r"^COPY \S+ \((?P<cols>[^)]*)\) FROM stdin;$", line)
            if m:
                cols = [c.strip().strip('"') for c in m["cols"].split(",")]
                if "tenant_id" not in cols:
                    return None
                column, inside = cols.index("tenant_id"), True
            continue
        if line == "\\.":
            break
        fields = line.split("\t")
        if column is not None and column < len(fields):
            counts[_unescape(fields[column]) or "(null)"] += 1
    return counts if inside else None

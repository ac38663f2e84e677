"""What a go/no-go judged: the database, its ledger head and its schema (issue 24.1).

Every artifact that judges the database names its target as a Binding: the cluster's
system_identifier, the database name, the migration ledger's head and a schema fingerprint
(the security fingerprint the backup manifest records, dbfacts.fingerprint, plus the
structure: columns, constraints, indexes, triggers, rules, views). Approval refuses a bundle
whose artifacts name different targets; enable and last-known-good re-read the live
database and refuse unless it is still exactly what was approved, and no migration runner
holds (or waits for) its advisory lock.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

import psycopg

from cutover.backup import facts
from cutover.errors import CutoverError
from cutover.migrate.runner import ADVISORY_LOCK_KEY
from cutover.pg.pinned import connect_pinned

FIELDS = ("system_identifier", "database", "ledger_head", "schema_fingerprint")
IDENTITY = ("system_identifier", "database")


@dataclass(frozen=True)
class Binding:
    """The state a judgement is about."""

    system_identifier: str
    database: str
    ledger_head: str | None
    schema_fingerprint: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        return (f"database {self.database!r} on system {self.system_identifier} at ledger head "
                f"{self.ledger_head} (schema {self.schema_fingerprint[:12]})")

    @classmethod
    def from_doc(cls, doc: Any) -> Binding | None:
        """A Binding from an artifact's `target.database`-style dict, None if it is not one."""
        if not isinstance(doc, dict) or not all(isinstance(doc.get(f), str) for f in IDENTITY):
            return None
        fp = doc.get("schema_fingerprint")
        return cls(doc["system_identifier"], doc["database"], doc.get("ledger_head"),
                   fp if isinstance(fp, str) else "")


def _sql(name: str) -> str:
    return resources.files("cutover.approval").joinpath(name).read_text()


def read(conn: psycopg.Connection) -> Binding:
    """The binding of the database `conn` is on (a pinned session: see cutover.pg.pinned)."""
    ident, _ = facts.identity(conn)
    head = facts.ledger_head(conn)
    security = facts.fingerprint(conn)
    structure = [r[0] for r in conn.execute(_sql("binding_structure.sql")).fetchall()]
    digest = hashlib.sha256("\n".join([*security, *structure]).encode()).hexdigest()
    return Binding(ident.system_identifier, ident.name, head, digest)


def read_url(url: str, application_name: str = "cutover-binding") -> Binding:
    """Open a pinned read-only session and read the binding (TargetError if unreachable)."""
    try:
        with connect_pinned(url, application_name) as conn:
            return read(conn)
    except psycopg.Error as exc:
        raise BindingError(f"cannot read what the database is: "
                           f"{str(exc).strip().splitlines()[0]}") from None


def runner_sessions(url: str) -> list[str]:
    """Sessions holding or waiting for the migration runner's lock, described."""
    with connect_pinned(url, "cutover-binding") as conn:
        rows = conn.execute(_sql("binding_runner_lock.sql"),
                            {"key": ADVISORY_LOCK_KEY}).fetchall()
    return [f"pid {r[0]} ({r[1]}, {r[2]!r}, {'holds' if r[3] else 'waits for'} the lock)"
            for r in rows]


def differences(expected: Binding, actual: Binding,
                fields: tuple[str, ...] = FIELDS) -> list[str]:
    """'field: expected X, found Y' for every field that differs."""
    exp, act = expected.as_dict(), actual.as_dict()
    return [f"{f}: judged {exp[f]}, found {act[f]}" for f in fields if exp[f] != act[f]]


class BindingError(CutoverError):
    """The database is not (or no longer) what was judged and approved: exit 1."""

    exit_code = 1

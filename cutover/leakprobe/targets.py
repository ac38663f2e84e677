"""What the active probes (PM-080, PM-081) probe, and the sessions they probe it from.

Not a check module. Both probes connect with the api role's own login (no SET ROLE), with
every session option pinned so that nothing the target defines can shadow what a probe
calls (search_path) and a target that stalls a probe makes it fail in bounded time
(statement, lock and idle timeouts), never hang the gate. What they probe is discovered as
that role, in every schema that is not a system schema: every relation it can read
(tables, partitions, views, materialized views, foreign tables) and every setting that a
policy or function reads (a role that can set one may open a policy for itself).

| setting | meaning |
|---|---|
| SOLVEREIGN_API_DB_URL | the api role's login (required; else the probes are not verified) |
| SOLVEREIGN_PROBE_TENANTS | tenant ids to probe, comma-separated (default: the sandbox's three) |
| SOLVEREIGN_PROBE_STATEMENT_TIMEOUT | longest a single probe statement may run (default 5s) |
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from cutover.pg.connect import connect

HERE = Path(__file__).parent
DEFAULT_TENANTS = ("wien_pilot", "graz_test", "linz_demo")
DEFAULT_STATEMENT_TIMEOUT = "5s"
_DURATION = re.compile(r"^[1-9][0-9]{0,6}(ms|s|min)?$")  # zero would mean "no bound"
# Values a setting is switched on with: the boolean spellings PostgreSQL accepts and the
# catch-alls a hand-written policy compares with (plus the literals of the policy itself).
SWITCHED_ON = ("on", "true", "1", "yes", "t", "all", "*")


@dataclass(frozen=True)
class Relation:
    """A relation the probing role can read."""

    oid: int
    schema: str
    name: str
    kind: str
    tenant_column: bool
    columns: tuple[str, ...]

    @property
    def ident(self) -> sql.Identifier:
        """Schema and name quoted exactly as the catalog gives them."""
        return sql.Identifier(self.schema, self.name)

    @property
    def label(self) -> str:
        """The qualified name as SQL would quote it, on one line (for messages)."""
        return qualified(self.schema, self.name)

    @property
    def table(self) -> bool:
        """A table or partition (writing probes apply), not a view or foreign table."""
        return self.kind in ("r", "p")


@dataclass(frozen=True)
class DefinerFunction:
    """A set-returning SECURITY DEFINER function the probing role may execute."""

    schema: str
    name: str
    args: str
    signature: str
    volatility: str


def qualified(schema: str, name: str) -> str:
    """schema.name, each part quoted only where SQL needs it; newlines shown as \\n."""
    def part(s: str) -> str:
        plain = re.fullmatch(r"[a-z_][a-z0-9_$]*", s) is not None
        return s if plain else '"' + s.replace('"', '""') + '"'
    return f"{part(schema)}.{part(name)}".replace("\n", "\\n").replace("\r", "\\r")


def statement_timeout(value: str | None) -> str:
    """The probe statement timeout, validated (it goes into the session options)."""
    value = (value or DEFAULT_STATEMENT_TIMEOUT).strip()
    if not _DURATION.match(value):
        raise ValueError(f"SOLVEREIGN_PROBE_STATEMENT_TIMEOUT={value!r} is not a positive "
                         "duration such as 5s, 500ms or 1min")
    return value


def tenants(value: str | None) -> list[str]:
    """The probe tenants: SOLVEREIGN_PROBE_TENANTS or the sandbox's three."""
    named = [t.strip() for t in (value or "").split(",") if t.strip()]
    return named or list(DEFAULT_TENANTS)


def session_options(timeout: str, *, read_only: bool) -> str:
    """libpq options pinning search_path and every timeout (and read-only where asked)."""
    opts = {"search_path": "pg_catalog,pg_temp", "statement_timeout": timeout,
            "lock_timeout": "2s", "idle_in_transaction_session_timeout": "60s",
            "synchronize_seqscans": "off"}
    if read_only:
        opts["default_transaction_read_only"] = "on"
    return " ".join(f"-c {k}={v}" for k, v in opts.items())


def open_session(url: str, timeout: str, *, read_only: bool,
                 application_name: str) -> psycopg.Connection:
    """A session as the api role itself, autocommit (each probe opens its transaction)."""
    return connect(url, name="SOLVEREIGN_API_DB_URL", autocommit=True,
                   application_name=application_name,
                   options=session_options(timeout, read_only=read_only))


def _query(name: str) -> str:
    return (HERE / name).read_text()


def relations(conn: psycopg.Connection) -> list[Relation]:
    """Every relation the session's role can read, in every non-system schema."""
    rows = conn.execute(_query("probe_relations.sql")).fetchall()  # type: ignore[arg-type]
    return [Relation(int(r[0]), r[1], r[2], r[3], bool(r[4]), tuple(r[5])) for r in rows]


def policy_settings(conn: psycopg.Connection) -> dict[str, list[str]]:
    """Settings read by any policy or function (app.tenant_id excluded), each with the values
    to switch it to: every spelling of "on" and each literal of the expressions reading it."""
    rows = conn.execute(_query("probe_settings.sql")).fetchall()  # type: ignore[arg-type]
    return {name: list(dict.fromkeys([*SWITCHED_ON, *sorted(literals)]))
            for name, literals in rows}


def settable_pairs(conn: psycopg.Connection, settings: dict[str, list[str]]
                   ) -> list[tuple[str, str]]:
    """(setting, value) pairs the role can actually set for a transaction."""
    return [(name, value) for name, values in settings.items() for value in values
            if settable(conn, name, value)]


def definer_functions(conn: psycopg.Connection) -> list[DefinerFunction]:
    """Set-returning definer functions the session's role may execute."""
    rows = conn.execute(_query("probe_definer_functions.sql")).fetchall()  # type: ignore[arg-type]
    return [DefinerFunction(*r) for r in rows]


def other_roles(conn: psycopg.Connection) -> list[str]:
    """Every role but the session's own, for the SET ROLE probe."""
    return [r[0] for r in conn.execute(_query("probe_roles.sql")).fetchall()]  # type: ignore[arg-type]


def settable(conn: psycopg.Connection, setting: str, value: str = "on") -> bool:
    """Whether the role can set `setting` to `value` for a transaction (tried and undone)."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute("SELECT pg_catalog.set_config(%s, %s, true)", (setting, value))
    except psycopg.Error:  # insufficient privilege, or a name PostgreSQL reserves
        return False
    return True

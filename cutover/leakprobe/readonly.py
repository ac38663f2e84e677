"""Read-only cross-tenant probes (PM-081): safe on a live database, so run everywhere.

As the api role's own login, in READ ONLY transactions that are always rolled back, with
tenant A set, no relation the role can read may show tenant B's rows; with no tenant set,
none may show tenant rows at all; and the same again with every setting that a policy or
function reads switched on. Only SELECTs run, and each one's cost follows an
index rather than the table: a relation with a tenant_id column is asked
`EXISTS (... WHERE tenant_id = B)` per other tenant (the policy's own predicate and this
one are both index conditions), never for a count.

A relation without a tenant_id column cannot be asked for B's rows. It is read with a
LIMIT under every probe tenant and with no tenant: a value equal to another tenant's id
is a leak; rows that do not depend on the tenant at all (visible with none set, or the
same for every tenant) are "unproven": global data and a leak look alike from here, and
whether the api role may read global data is the catalog checks' allowlist to judge.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
from psycopg import errors, sql

from cutover.leakprobe.definer import definer_leak
from cutover.leakprobe.targets import DefinerFunction, Relation, settable

SAMPLE_ROWS = 100
LEAK, UNPROVEN = "leak", "unproven"


@dataclass(frozen=True)
class Finding:
    """One relation that leaked (FAIL) or could not be proven isolated (WARN)."""

    relation: str
    verdict: str
    detail: str

    def __str__(self) -> str:
        return f"{self.relation}: {self.detail}"


@dataclass
class ReadProbeReport:
    """Everything the read-only probes did and found, for the evidence."""

    findings: list[Finding] = field(default_factory=list)
    queries: int = 0
    transactions: int = 0
    settings_tried: dict[str, list[str]] = field(default_factory=dict)
    settings_refused: list[str] = field(default_factory=list)

    def leaks(self) -> list[Finding]:
        return _unique(f for f in self.findings if f.verdict == LEAK)

    def unproven(self) -> list[Finding]:
        leaked = {f.relation for f in self.leaks()}
        return _unique(f for f in self.findings
                       if f.verdict == UNPROVEN and f.relation not in leaked)


def by_relation(findings: list[Finding]) -> list[str]:
    """One line per relation: its first finding and how many more probes agreed."""
    grouped: dict[str, list[Finding]] = {}
    for f in findings:
        grouped.setdefault(f.relation, []).append(f)
    return [f"{rel}: {fs[0].detail}" + (f" (and {len(fs) - 1} more probes)" if len(fs) > 1
                                        else "") for rel, fs in sorted(grouped.items())]


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    seen: dict[tuple[str, str], Finding] = {}
    for f in findings:
        seen.setdefault((f.relation, f.detail), f)
    return sorted(seen.values(), key=lambda f: (f.relation, f.detail))


class ReadProber:
    """Runs the read probes over one session; a relation that stalls is dropped after its
    first timeout (a FAIL), so a hostile target costs one statement_timeout per relation."""

    def __init__(self, conn: psycopg.Connection, tenants: list[str]) -> None:
        self.conn, self.tenants = conn, tenants
        self.report = ReadProbeReport()
        self.stalled: set[int] = set()

    @contextmanager
    def transaction(self, tenant: str | None, setting: tuple[str, str] | None = None
                    ) -> Iterator[None]:
        """A READ ONLY transaction, rolled back, with the tenant (and one setting) set.
        tenant None leaves app.tenant_id as the session has it (never set, at first)."""
        with self.conn.transaction(force_rollback=True):
            self.conn.execute("SET TRANSACTION READ ONLY")
            if tenant is not None:
                self.conn.execute("SELECT pg_catalog.set_config('app.tenant_id', %s, true)",
                                  (tenant,))
            if setting is not None:
                self.conn.execute("SELECT pg_catalog.set_config(%s, %s, true)", setting)
            self.report.transactions += 1
            yield

    def _guarded(self, rel: Relation, stmt: sql.Composable, params: tuple = ()
                 ) -> list[tuple] | None:
        """Rows of one probe statement in a savepoint; None when it could not run (recorded:
        a timeout is a leak-grade failure, any other error leaves the relation unproven)."""
        if rel.oid in self.stalled:
            return None
        self.report.queries += 1
        try:
            with self.conn.transaction():
                return self.conn.execute(stmt, params).fetchall()
        except (errors.QueryCanceled, errors.LockNotAvailable) as exc:
            self.stalled.add(rel.oid)
            self.report.findings.append(Finding(rel.label, LEAK, "probe did not finish in "
                                                f"bounded time ({_first_line(exc)})"))
        except errors.InvalidTextRepresentation:
            return []  # a tenant id that cannot even be stored in this column: no such rows
        except psycopg.Error as exc:
            self.report.findings.append(Finding(rel.label, UNPROVEN,
                                                f"could not be read ({_first_line(exc)})"))
        return None

    def any_rows(self, rel: Relation) -> bool:
        rows = self._guarded(rel, sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(rel.ident))
        return bool(rows and rows[0][0])

    def has_tenant(self, rel: Relation, tenant: str) -> bool:
        rows = self._guarded(rel, sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE tenant_id = %s)"
                                          ).format(rel.ident), (tenant,))
        return bool(rows and rows[0][0])

    def sample(self, rel: Relation) -> frozenset[tuple]:
        """Up to SAMPLE_ROWS rows of the readable columns, as text."""
        cols = sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c))
                                  for c in rel.columns) if rel.columns else sql.SQL("1")
        rows = self._guarded(rel, sql.SQL("SELECT {} FROM {} LIMIT %s").format(cols, rel.ident),
                             (SAMPLE_ROWS,))
        return frozenset(tuple(r) for r in rows or [])

    def _leak(self, rel: Relation, detail: str) -> None:
        self.report.findings.append(Finding(rel.label, LEAK, detail))

    def probe_unset(self, relations: list[Relation], how: str
                    ) -> dict[int, frozenset[tuple]]:
        """No tenant set (never, or empty): tenant rows must be invisible. Returns the
        samples of the relations without a tenant_id column."""
        samples: dict[int, frozenset[tuple]] = {}
        with self.transaction(None if how == "never set" else ""):
            for rel in relations:
                if rel.tenant_column:
                    if self.any_rows(rel):
                        self._leak(rel, f"rows visible with app.tenant_id {how}")
                else:
                    samples[rel.oid] = self.sample(rel)
        return samples

    def probe_functions(self, functions: list[DefinerFunction], a: str,
                        setting: tuple[str, str] | None = None) -> None:
        """As tenant `a`: no STABLE/IMMUTABLE definer function returns another tenant's row
        (volatile ones may act outside the database; only the writing probes call them)."""
        pure = [f for f in functions if f.volatility in ("s", "i")]
        if not pure:
            return
        under = f" with {setting[0]}={setting[1]!r}" if setting else ""
        with self.transaction(a, setting):
            self.report.queries += len(pure)
            try:
                with self.conn.transaction():
                    leak = definer_leak(self.conn, pure, a, [t for t in self.tenants if t != a])
            except psycopg.Error as exc:  # the contract tables it reads are missing
                self.report.findings.append(Finding("definer functions", UNPROVEN,
                                                    f"not probed ({_first_line(exc)})"))
                return
        if leak:
            self.report.findings.append(Finding(leak[0], LEAK, f"{leak[1]} as {a}{under}"))

    def probe_tenant(self, relations: list[Relation], a: str,
                     setting: tuple[str, str] | None = None) -> dict[int, frozenset[tuple]]:
        """As tenant `a` (with `setting` switched on, if given): no other tenant's rows."""
        others = [t for t in self.tenants if t != a]
        under = f" with {setting[0]}={setting[1]!r}" if setting else ""
        samples: dict[int, frozenset[tuple]] = {}
        with self.transaction(a, setting):
            for rel in relations:
                if rel.tenant_column:
                    for b in others:
                        if self.has_tenant(rel, b):
                            self._leak(rel, f"rows of tenant {b} visible as {a}{under}")
                    continue
                samples[rel.oid] = rows = self.sample(rel)
                named = sorted({v for row in rows for v in row if v in others})
                if named:
                    self._leak(rel, f"a row naming tenant {named[0]} visible as {a}{under}")
        return samples

    def probe_settings(self, relations: list[Relation], settings: dict[str, list[str]],
                       functions: Sequence[DefinerFunction] = ()) -> None:
        """Every setting a policy reads, set to each candidate value the role may set, as
        every tenant."""
        for name, candidates in settings.items():
            values = [v for v in candidates if settable(self.conn, name, v)]
            if not values:
                self.report.settings_refused.append(name)
                continue
            self.report.settings_tried[name] = values
            for value in values:
                for a in self.tenants:
                    self.probe_tenant(relations, a, (name, value))
                    self.probe_functions(list(functions), a, (name, value))

    def judge_untenanted(self, relations: list[Relation],
                         by_tenant: dict[str, dict[int, frozenset[tuple]]],
                         unset: dict[int, frozenset[tuple]]) -> None:
        """Relations without tenant_id whose rows do not depend on the tenant: unproven."""
        for rel in relations:
            if rel.tenant_column or rel.oid in self.stalled:
                continue
            seen = [by_tenant[t].get(rel.oid, frozenset()) for t in self.tenants]
            if unset.get(rel.oid):
                self.report.findings.append(Finding(
                    rel.label, UNPROVEN, "rows visible with no tenant set and no tenant_id "
                    "column: global data or a leak (allowlist it or give it tenant_id and RLS)"))
            elif len(seen) > 1 and seen[0] and all(s == seen[0] for s in seen):
                self.report.findings.append(Finding(
                    rel.label, UNPROVEN, "the same rows for every tenant and no tenant_id "
                    "column: global data or a leak (allowlist it or give it tenant_id and RLS)"))


def probe_read_only(conn: psycopg.Connection, relations: list[Relation], tenants: list[str],
                    settings: dict[str, list[str]], functions: Sequence[DefinerFunction] = ()
                    ) -> ReadProbeReport:
    """Every read probe, in order; the never-set probe runs first, in the fresh session."""
    prober = ReadProber(conn, tenants)
    unset = prober.probe_unset(relations, "never set")
    for rel_oid, rows in prober.probe_unset(relations, "empty").items():
        unset[rel_oid] = unset.get(rel_oid, frozenset()) | rows
    by_tenant = {a: prober.probe_tenant(relations, a) for a in tenants}
    for a in tenants:
        prober.probe_functions(list(functions), a)
    prober.judge_untenanted(relations, by_tenant, unset)
    prober.probe_settings(relations, settings, functions)
    return prober.report


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

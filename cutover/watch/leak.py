"""The watch's tenant-leak detector (runbook §9.1 "tenant data leak detected", S0).

Two signals, either one is a leak: the gate's read-only cross-tenant probe (PM-081's,
cutover.leakprobe) run as the api role's own login every --leak-probe-interval seconds,
and the API's own cross-tenant security events since the watch started. Each names the
relation or route, so the on-call knows where to look before reading any log.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg

from cutover.errors import CutoverError
from cutover.leakprobe import targets
from cutover.leakprobe.readonly import probe_read_only

API_DB_URL_VAR = "SOLVEREIGN_API_DB_URL"
# Event types the API logs when a request reaches another tenant's data.
CROSS_TENANT_EVENTS = ["CROSS_TENANT_ACCESS", "TENANT_LEAK"]
EVENTS_SQL = Path(__file__).with_name("cross_tenant_events.sql")


@dataclass
class LeakProbe:
    """When and how the read-only probe runs; `due` keeps its own clock."""

    api_db_url: str
    interval: float
    tenants: list[str]
    statement_timeout: str
    last_run: float | None = None
    problem: str | None = None  # why the last due run could not run (kept until one does)

    def due(self, now: float) -> bool:
        """True at the first sample and then once per interval."""
        return self.last_run is None or now - self.last_run >= self.interval


def probe_relations(probe: LeakProbe) -> list[str]:
    """Run the read-only probe once; 'relation: detail' per leaking relation.

    Raises CutoverError when the probe cannot run (the caller reports a miss, never a pass).
    """
    probe.last_run = time.monotonic()
    try:
        conn = targets.open_session(probe.api_db_url, probe.statement_timeout, read_only=True,
                                    application_name="cutover-watch-leakprobe")
        with conn:
            report = probe_read_only(conn, targets.relations(conn), probe.tenants,
                                     targets.policy_settings(conn),
                                     targets.definer_functions(conn))
    except psycopg.Error as exc:
        raise CutoverError(f"leak probe failed: {str(exc).splitlines()[0][:160]}") from None
    grouped: dict[str, str] = {}
    for f in report.leaks():
        grouped.setdefault(f.relation, f.detail)
    return [f"{rel}: {detail}" for rel, detail in sorted(grouped.items())]


def cross_tenant_events(conn: psycopg.Connection, since: datetime) -> list[str]:
    """'route: N event(s)' for each route with cross-tenant security events since `since`."""
    params = {"types": CROSS_TENANT_EVENTS, "since": since}
    rows = conn.execute(EVENTS_SQL.read_text(), params).fetchall()  # type: ignore[arg-type]
    return [f"route {r[0]}: {r[1]} cross-tenant security event(s)" for r in rows]

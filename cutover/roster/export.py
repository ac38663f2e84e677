"""Exporting a tenant's week from the platform database as a §7.2 instance.

Read-only, inside one transaction that sets the tenant context, so the export sees
exactly what the tenant's RLS policies let it see and nothing else.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from typing import Any

from cutover.errors import ConfigError
from cutover.pg import pinned
from cutover.pg.connect import connect

DEFAULT_TIMEZONE = "Europe/Vienna"
#: local weeks of duty history exported before the week: R14's 17-week reference period
#: (Dir. 2002/15/EC art. 4(a), AZG §13b) less the week itself
HISTORY_WEEKS = 16
_SQL = "export.sql"


def latest_week(url: str, tenant: str) -> date:
    """The Monday of the tenant's latest week with shifts (the 'current' week to roster)."""
    with connect(url, autocommit=False,
                 options=pinned.options(read_only=True)) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (tenant,))
        row = conn.execute(
            "SELECT date_trunc('week', max(starts_at) AT TIME ZONE %s)::date"
            "  FROM roster.shifts WHERE tenant_id = %s", (DEFAULT_TIMEZONE, tenant)).fetchone()
    if not row or row[0] is None:
        raise ConfigError(f"tenant {tenant!r} has no shifts (unknown tenant, or none visible)")
    return row[0]


def export_instance(url: str, tenant: str, week_start: date | None = None,
                    timezone: str = DEFAULT_TIMEZONE) -> dict[str, Any]:
    """The instance document with the `HISTORY_WEEKS` weeks of duty history before the week
    and, per driver and in all, how many of them are really recorded (export.sql); an unknown
    tenant or an empty week is a clear error."""
    week = week_start or latest_week(url, tenant)
    sql = resources.files("cutover.roster").joinpath(_SQL).read_text()
    with connect(url, autocommit=False,
                 options=pinned.options(read_only=True)) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, true),"
                     " set_config('TimeZone', %s, true)", (tenant, timezone))
        row = conn.execute(sql, {"tenant": tenant, "week_start": week,  # type: ignore[arg-type]
                                 "timezone": timezone,
                                 "history_weeks": HISTORY_WEEKS}).fetchone()
    doc = row[0] if row else None
    if not doc or not doc["drivers"]:
        raise ConfigError(f"tenant {tenant!r} has no drivers visible (unknown tenant?)")
    if not doc["shifts"]:
        raise ConfigError(f"tenant {tenant!r} has no shifts in the week of {week}")
    return doc


def export_plan(url: str, tenant: str, week_start: date) -> dict[str, Any] | None:
    """The stored plan of the week (published first), or None when there is none."""
    sql = resources.files("cutover.roster").joinpath("export_plan.sql").read_text()
    with connect(url, autocommit=False,
                 options=pinned.options(read_only=True)) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (tenant,))
        row = conn.execute(sql, {"tenant": tenant,  # type: ignore[arg-type]
                                 "week_start": week_start}).fetchone()
    return row[0] if row else None

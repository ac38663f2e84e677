"""The roster instance of one tenant's week, read under that tenant's RLS context
(docs/artifacts.md).

The week is [Monday 00:00, next Monday 00:00) in the tenant's time zone (that of its first
site); shifts starting in it, unavailability and absences overlapping it, and the duties of
the previous seven days as history. Datetimes are printed with the zone's offset.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

HISTORY_DAYS = 7


async def timezone_of(conn: psycopg.AsyncConnection) -> str:
    """The time zone of the tenant's first site (UTC for a tenant without sites)."""
    cur = await conn.execute("SELECT timezone FROM core.sites ORDER BY code LIMIT 1")
    row = await cur.fetchone()
    return row[0] if row else "UTC"


def week_bounds(week_start: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Local midnight of the Monday and of the Monday after, as aware datetimes."""
    start = datetime.combine(week_start, time(0), tzinfo=tz)
    return start, datetime.combine(week_start + timedelta(days=7), time(0), tzinfo=tz)


def iso(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).isoformat()


def breaks_in(raw: Any, tz: ZoneInfo) -> list[dict[str, str]]:
    """Stored breaks re-printed in the tenant's zone; unparsable entries are kept verbatim."""
    out = []
    for item in raw or []:
        try:
            out.append({"start": iso(datetime.fromisoformat(item["start"]), tz),
                        "end": iso(datetime.fromisoformat(item["end"]), tz)})
        except (KeyError, TypeError, ValueError):
            out.append({"start": str(item.get("start", "")) if isinstance(item, dict) else "",
                        "end": str(item.get("end", "")) if isinstance(item, dict) else ""})
    return out


async def build(conn: psycopg.AsyncConnection, tenant: str, week_start: date) -> dict[str, Any]:
    """The instance document; every query runs under the caller's tenant context."""
    zone = await timezone_of(conn)
    tz = ZoneInfo(zone)
    start, end = week_bounds(week_start, tz)
    drivers = await (await conn.execute(
        "SELECT id, code, site_code, qualifications, contract_minutes_week"
        " FROM roster.drivers WHERE is_active ORDER BY code")).fetchall()
    blocked: dict[int, list[dict[str, str]]] = {}
    for driver_id, s, e in await (await conn.execute(
            "SELECT driver_id, starts_at, ends_at FROM roster.unavailability"
            " WHERE starts_at < %s AND ends_at > %s ORDER BY driver_id, starts_at, id",
            (end, start))).fetchall():
        blocked.setdefault(driver_id, []).append({"start": iso(s, tz), "end": iso(e, tz)})
    shifts = await (await conn.execute(
        "SELECT code, site_code, qualification, starts_at, ends_at, drive_minutes, breaks"
        " FROM roster.shifts WHERE starts_at >= %s AND starts_at < %s ORDER BY code",
        (start, end))).fetchall()
    absences = await (await conn.execute(
        "SELECT d.code, a.starts_at, a.ends_at, a.reason FROM roster.absences AS a"
        " JOIN roster.drivers AS d ON d.tenant_id = a.tenant_id AND d.id = a.driver_id"
        " WHERE a.starts_at < %s AND a.ends_at > %s ORDER BY a.driver_id, a.starts_at, a.id",
        (end, start))).fetchall()
    history = await (await conn.execute(
        "SELECT d.code, h.starts_at, h.ends_at, h.drive_minutes FROM roster.duty_history AS h"
        " JOIN roster.drivers AS d ON d.tenant_id = h.tenant_id AND d.id = h.driver_id"
        " WHERE h.starts_at >= %s AND h.starts_at < %s ORDER BY h.driver_id, h.starts_at, h.id",
        (start - timedelta(days=HISTORY_DAYS), start))).fetchall()
    return {
        "tenant": tenant,
        "week_start": week_start.isoformat(),
        "timezone": zone,
        "drivers": [{"id": code, "site": site, "qualifications": list(quals),
                     "contract_minutes_week": contract, "unavailable": blocked.get(did, [])}
                    for did, code, site, quals, contract in drivers],
        "shifts": [{"id": code, "site": site, "qualification": qual, "start": iso(s, tz),
                    "end": iso(e, tz), "drive_minutes": drive, "breaks": breaks_in(brk, tz)}
                   for code, site, qual, s, e, drive, brk in shifts],
        "absences": [{"driver": code, "start": iso(s, tz), "end": iso(e, tz), "reason": r}
                     for code, s, e, r in absences],
        "history": [{"driver": code, "start": iso(s, tz), "end": iso(e, tz),
                     "drive_minutes": m} for code, s, e, m in history],
    }

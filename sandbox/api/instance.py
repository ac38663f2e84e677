"""The roster instance of one tenant's week, read under that tenant's RLS context
(docs/artifacts.md).

The week is [Monday 00:00, next Monday 00:00) in the tenant's time zone (that of its first
site); shifts starting in it, unavailability and absences overlapping it, and the duties of
the `HISTORY_WEEKS` local weeks before it as history, with how many of those weeks each
driver's record really covers (from the local week of the driver's earliest recorded duty;
never padded) and, as the instance's `history_weeks`, the largest of them: the same document
as the cutover tool's export (cutover/roster/export.sql). Datetimes are printed with the
zone's offset.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

#: local weeks of duty history before the week: R14's 17-week reference period less the week
HISTORY_WEEKS = 16


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


def recorded_weeks(first: datetime | None, week_start: date, tz: ZoneInfo) -> int:
    """Whole local weeks before `week_start` a record starting with the duty at `first` covers
    (at most HISTORY_WEEKS; 0 without any record)."""
    if first is None:
        return 0
    local = first.astimezone(tz).date()
    return min(HISTORY_WEEKS, (week_start - (local - timedelta(days=local.weekday()))).days // 7)


async def build(conn: psycopg.AsyncConnection, tenant: str, week_start: date) -> dict[str, Any]:
    """The instance document; every query runs under the caller's tenant context."""
    zone = await timezone_of(conn)
    tz = ZoneInfo(zone)
    start, end = week_bounds(week_start, tz)
    history_lo = datetime.combine(week_start - timedelta(days=7 * HISTORY_WEEKS), time(0),
                                  tzinfo=tz)
    # each driver's earliest recorded duty: one index probe on duty_history_driver_idx each
    drivers = await (await conn.execute(
        "SELECT d.id, d.code, d.site_code, d.qualifications, d.contract_minutes_week, f.starts_at"
        " FROM roster.drivers AS d LEFT JOIN LATERAL (SELECT h.starts_at"
        " FROM roster.duty_history AS h WHERE h.tenant_id = d.tenant_id AND h.driver_id = d.id"
        " AND h.starts_at < %s ORDER BY h.starts_at LIMIT 1) AS f ON true"
        " WHERE d.is_active ORDER BY d.code", (start,))).fetchall()
    weeks = {did: recorded_weeks(first, week_start, tz) for did, *_, first in drivers}
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
    # a duty that began the day before the first week and ran into it counts there (R14)
    history = await (await conn.execute(
        "SELECT d.code, h.starts_at, h.ends_at, h.drive_minutes FROM roster.duty_history AS h"
        " JOIN roster.drivers AS d ON d.tenant_id = h.tenant_id AND d.id = h.driver_id"
        " WHERE d.is_active AND h.starts_at >= %s AND h.ends_at > %s AND h.starts_at < %s"
        " ORDER BY d.code, h.starts_at, h.id",
        (history_lo - timedelta(days=1), history_lo, start))).fetchall()
    return {
        "tenant": tenant,
        "week_start": week_start.isoformat(),
        "timezone": zone,
        "drivers": [{"id": code, "site": site, "qualifications": list(quals),
                     "contract_minutes_week": contract, "unavailable": blocked.get(did, []),
                     "history_weeks": weeks[did]}
                    for did, code, site, quals, contract, _ in drivers],
        "shifts": [{"id": code, "site": site, "qualification": qual, "start": iso(s, tz),
                    "end": iso(e, tz), "drive_minutes": drive, "breaks": breaks_in(brk, tz)}
                   for code, site, qual, s, e, drive, brk in shifts],
        "absences": [{"driver": code, "start": iso(s, tz), "end": iso(e, tz), "reason": r}
                     for code, s, e, r in absences],
        "history": [{"driver": code, "start": iso(s, tz), "end": iso(e, tz),
                     "drive_minutes": m} for code, s, e, m in history],
        "history_weeks": max(weeks.values(), default=0),
    }

"""Storing and reading roster plans (roster.plans + roster.assignments) under RLS.

A plan arrives in the interchange format (docs/artifacts.md) with shift and driver *codes*; they
are resolved to the tenant's row ids through the tenant's own RLS view of the tables, so a
code of another tenant is simply unknown. The stored `plan_sha256` is the canonical hash:
sorted keys, compact JSON, assignments sorted by shift, `uncovered` sorted, no timestamps.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from sandbox.api.errors import ApiError
from sandbox.api.instance import timezone_of, week_bounds
from sandbox.api.models import PlanIn

PLAN_COLUMNS = ("id, tenant_id, week_start, seed, status, plan_sha256, instance_sha256,"
                " created_at")


def canonical_sha256(tenant: str, plan: PlanIn) -> str:
    """The canonical hash of the plan document (the five interchange keys)."""
    doc = {
        "tenant": tenant,
        "instance_sha256": plan.instance_sha256,
        "seed": plan.seed,
        "assignments": sorted(({"shift": a.shift, "driver": a.driver} for a in plan.assignments),
                              key=lambda a: (a["shift"], a["driver"])),
        "uncovered": sorted(plan.uncovered),
    }
    data = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(data.encode()).hexdigest()


async def _codes(conn: psycopg.AsyncConnection, table: str, codes: set[str]) -> dict[str, int]:
    """code -> id for the codes the current tenant can see in `table`."""
    if not codes:
        return {}
    cur = await conn.execute(
        f"SELECT code, id FROM {table} WHERE code = ANY(%s)",  # table is a constant below
        (sorted(codes),))
    return dict(await cur.fetchall())


def _check_plan(tenant: str, plan: PlanIn) -> None:
    """Interchange rules the database does not know: tenant match, one driver per shift."""
    if plan.tenant is not None and plan.tenant != tenant:
        raise ApiError(422, "tenant_mismatch", "the plan names another tenant than the key's")
    shifts = [a.shift for a in plan.assignments]
    dupes = sorted({s for s in shifts if shifts.count(s) > 1})
    if dupes:
        raise ApiError(422, "invalid_plan", f"shift assigned twice: {', '.join(dupes[:10])}")
    both = sorted(set(shifts) & set(plan.uncovered))
    if both:
        raise ApiError(422, "invalid_plan", f"shift both assigned and uncovered: {both[0]}")


async def create(conn: psycopg.AsyncConnection, tenant: str, plan: PlanIn) -> int:
    """Insert the plan and its assignments; returns the plan id."""
    _check_plan(tenant, plan)
    shift_ids = await _codes(conn, "roster.shifts",
                             {a.shift for a in plan.assignments} | set(plan.uncovered))
    driver_ids = await _codes(conn, "roster.drivers", {a.driver for a in plan.assignments})
    unknown = sorted(({a.shift for a in plan.assignments} | set(plan.uncovered)) - set(shift_ids)
                     ) + sorted({a.driver for a in plan.assignments} - set(driver_ids))
    if unknown:
        raise ApiError(422, "unknown_reference",
                       f"unknown shift or driver: {', '.join(unknown[:10])}")
    cur = await conn.execute(
        "INSERT INTO roster.plans (tenant_id, week_start, seed, status, plan_sha256,"
        " instance_sha256) VALUES (current_setting('app.tenant_id', true), %s, %s, %s, %s, %s)"
        " RETURNING id",
        (plan.week_start, plan.seed, plan.status, canonical_sha256(tenant, plan),
         plan.instance_sha256))
    row = await cur.fetchone()
    assert row is not None
    async with conn.cursor() as c:
        await c.executemany(
            "INSERT INTO roster.assignments (tenant_id, plan_id, shift_id, driver_id)"
            " VALUES (current_setting('app.tenant_id', true), %s, %s, %s)",
            [(row[0], shift_ids[a.shift], driver_ids[a.driver]) for a in plan.assignments])
    return int(row[0])


def summary(row: tuple) -> dict[str, Any]:
    """A plans row as the API prints it."""
    keys = ("id", "tenant", "week_start", "seed", "status", "plan_sha256", "instance_sha256",
            "created_at")
    return dict(zip(keys, row, strict=True))


async def listing(conn: psycopg.AsyncConnection, week_start: date | None) -> list[dict]:
    """The tenant's plans, newest week first."""
    where, params = ("WHERE week_start = %s", (week_start,)) if week_start else ("", ())
    cur = await conn.execute(
        f"SELECT {PLAN_COLUMNS} FROM roster.plans {where} ORDER BY week_start DESC, id DESC"
        " LIMIT 500", params)
    return [summary(r) for r in await cur.fetchall()]


async def fetch(conn: psycopg.AsyncConnection, plan_id: int) -> dict[str, Any] | None:
    """One plan with its assignments and the week's shifts it leaves uncovered."""
    cur = await conn.execute(f"SELECT {PLAN_COLUMNS} FROM roster.plans WHERE id = %s",
                             (plan_id,))
    row = await cur.fetchone()
    if row is None:
        return None
    plan = summary(row)
    cur = await conn.execute(
        "SELECT s.code, d.code FROM roster.assignments AS a"
        " JOIN roster.shifts AS s ON s.tenant_id = a.tenant_id AND s.id = a.shift_id"
        " JOIN roster.drivers AS d ON d.tenant_id = a.tenant_id AND d.id = a.driver_id"
        " WHERE a.plan_id = %s ORDER BY s.code", (plan_id,))
    plan["assignments"] = [{"shift": s, "driver": d} for s, d in await cur.fetchall()]
    start, end = week_bounds(plan["week_start"], ZoneInfo(await timezone_of(conn)))
    cur = await conn.execute(
        "SELECT code FROM roster.shifts WHERE starts_at >= %s AND starts_at < %s"
        " ORDER BY code", (start, end))
    assigned = {a["shift"] for a in plan["assignments"]}
    plan["uncovered"] = [c for (c,) in await cur.fetchall() if c not in assigned]
    return plan


async def add_absence(conn: psycopg.AsyncConnection, tenant: str, driver: str,
                      start: Any, end: Any, reason: str) -> dict[str, Any]:
    """Record an absence of one of the tenant's drivers."""
    if end <= start:
        raise ApiError(422, "invalid_request", "end must be after start")
    if end - start > timedelta(days=366):
        raise ApiError(422, "invalid_request", "an absence spans at most a year")
    ids = await _codes(conn, "roster.drivers", {driver})
    if driver not in ids:
        raise ApiError(422, "unknown_reference", f"unknown driver: {driver}")
    cur = await conn.execute(
        "INSERT INTO roster.absences (tenant_id, driver_id, starts_at, ends_at, reason)"
        " VALUES (current_setting('app.tenant_id', true), %s, %s, %s, %s)"
        " RETURNING id, tenant_id", (ids[driver], start, end, reason))
    row = await cur.fetchone()
    assert row is not None
    return {"id": row[0], "tenant": row[1], "driver": driver, "start": start, "end": end,
            "reason": reason}

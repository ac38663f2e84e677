"""Roster pack (`/api/v1/roster/...`): drivers, shifts, the week's instance, plans, absences.

Every query runs as `solvereign_api` under the key's tenant context; rows carry the tenant
of the row itself (not of the caller), so a leak would be visible in any answer.
"""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, Request, Security, status

from sandbox.api import instance, plans
from sandbox.api.context import ctx_of
from sandbox.api.errors import ApiError, error_responses
from sandbox.api.models import (
    Absence,
    AbsenceIn,
    DriverList,
    Instance,
    PackStatus,
    Plan,
    PlanIn,
    PlanList,
    ShiftList,
    WeekStart,
)
from sandbox.api.routes.packs import EXAMPLE_WEEK, PACK_ERRORS, WRITE_ERRORS, tenant_tx
from sandbox.api.routes.security import api_key, signed

router = APIRouter(prefix="/api/v1/roster", tags=["roster"], dependencies=[Security(api_key)],
                   responses=PACK_ERRORS)
Week = Annotated[WeekStart, Query(examples=[EXAMPLE_WEEK])]
OptionalWeek = Annotated[WeekStart | None, Query(examples=[EXAMPLE_WEEK])]


@router.get("/status", response_model=PackStatus)
async def roster_status(request: Request) -> dict:
    """The roster pack answers for this key's tenant; counts of what it can see."""
    async with tenant_tx(request) as (principal, conn):
        cur = await conn.execute(
            "SELECT (SELECT count(*) FROM roster.drivers), (SELECT count(*) FROM roster.shifts),"
            " (SELECT count(*) FROM roster.plans), (SELECT count(*) FROM roster.absences)")
        row = await cur.fetchone()
    assert row is not None
    return {"pack": "roster", "tenant": principal.tenant,
            "writes_enabled": ctx_of(request).flag.writes_enabled,
            "counts": dict(zip(("drivers", "shifts", "plans", "absences"), row, strict=True))}


@router.get("/drivers", response_model=DriverList)
async def drivers(request: Request) -> dict:
    """The tenant's drivers."""
    async with tenant_tx(request) as (principal, conn):
        cur = await conn.execute(
            "SELECT code, tenant_id, display_name, site_code, qualifications,"
            " contract_minutes_week, is_active FROM roster.drivers ORDER BY code, tenant_id")
        rows = await cur.fetchall()
    keys = ("id", "tenant", "display_name", "site", "qualifications", "contract_minutes_week",
            "is_active")
    return {"tenant": principal.tenant,
            "drivers": [dict(zip(keys, r, strict=True)) for r in rows]}


@router.get("/shifts", response_model=ShiftList)
async def shifts(request: Request, week_start: Week) -> dict:
    """The shifts starting in the week (tenant's time zone)."""
    async with tenant_tx(request) as (principal, conn):
        tz = ZoneInfo(await instance.timezone_of(conn))
        start, end = instance.week_bounds(week_start, tz)
        cur = await conn.execute(
            "SELECT code, tenant_id, site_code, qualification, starts_at, ends_at,"
            " drive_minutes, breaks FROM roster.shifts WHERE starts_at >= %s AND starts_at < %s"
            " ORDER BY code, tenant_id", (start, end))
        rows = await cur.fetchall()
    return {"tenant": principal.tenant, "week_start": week_start,
            "shifts": [{"id": code, "tenant": owner, "site": site, "qualification": qual,
                        "start": instance.iso(s, tz), "end": instance.iso(e, tz),
                        "drive_minutes": drive, "breaks": instance.breaks_in(brk, tz)}
                       for code, owner, site, qual, s, e, drive, brk in rows]}


@router.get("/instance", response_model=Instance)
async def week_instance(request: Request, week_start: Week) -> dict:
    """The week as a roster instance in the interchange format (docs/artifacts.md)."""
    async with tenant_tx(request) as (principal, conn):
        return await instance.build(conn, principal.tenant, week_start)


@router.get("/plans", response_model=PlanList)
async def plan_list(request: Request, week_start: OptionalWeek = None) -> dict:
    """The tenant's plans (optionally of one week), newest first."""
    async with tenant_tx(request) as (principal, conn):
        return {"tenant": principal.tenant, "plans": await plans.listing(conn, week_start)}


@router.get("/plans/{plan_id}", response_model=Plan, responses=error_responses(404))
async def plan(request: Request,
               plan_id: Annotated[int, Path(ge=1, le=2**63 - 1, examples=[1])]) -> dict:
    """One plan with its assignments and uncovered shifts; another tenant's plan is 404."""
    async with tenant_tx(request) as (_, conn):
        found = await plans.fetch(conn, plan_id)
    if found is None:
        raise ApiError(404, "not_found", f"no plan {plan_id}")
    return found


@router.post("/plans", response_model=Plan, status_code=status.HTTP_201_CREATED,
             dependencies=[Depends(signed)], responses=WRITE_ERRORS)
async def create_plan(request: Request, body: PlanIn) -> dict:
    """Store a plan (signed, mutating); a second published plan for a week is 409."""
    async with tenant_tx(request) as (principal, conn):
        plan_id = await plans.create(conn, principal.tenant, body)
        found = await plans.fetch(conn, plan_id)
    assert found is not None
    return found


@router.post("/absences", response_model=Absence, status_code=status.HTTP_201_CREATED,
             dependencies=[Depends(signed)], responses=WRITE_ERRORS)
async def create_absence(request: Request, body: AbsenceIn) -> dict:
    """Record a driver's absence (signed, mutating): what a sick call adds."""
    async with tenant_tx(request) as (principal, conn):
        return await plans.add_absence(conn, principal.tenant, body.driver, body.start,
                                       body.end, body.reason)

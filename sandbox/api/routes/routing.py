"""Routing pack (`/api/v1/routing/...`): status, vehicles, routes of a day. Read only."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Security

from sandbox.api.context import ctx_of
from sandbox.api.models import PackStatus, RouteList, VehicleList
from sandbox.api.routes.packs import PACK_ERRORS, tenant_tx
from sandbox.api.routes.security import api_key

router = APIRouter(prefix="/api/v1/routing", tags=["routing"], dependencies=[Security(api_key)],
                   responses=PACK_ERRORS)


@router.get("/status", response_model=PackStatus)
async def routing_status(request: Request) -> dict:
    """The routing pack answers for this key's tenant; counts of what it can see."""
    async with tenant_tx(request) as (principal, conn):
        cur = await conn.execute("SELECT (SELECT count(*) FROM routing.vehicles),"
                                 " (SELECT count(*) FROM routing.routes)")
        row = await cur.fetchone()
    assert row is not None
    return {"pack": "routing", "tenant": principal.tenant,
            "writes_enabled": ctx_of(request).flag.writes_enabled,
            "counts": {"vehicles": row[0], "routes": row[1]}}


@router.get("/vehicles", response_model=VehicleList)
async def vehicles(request: Request) -> dict:
    """The tenant's vehicles."""
    async with tenant_tx(request) as (principal, conn):
        cur = await conn.execute(
            "SELECT id, tenant_id, plate, site_code, vehicle_type, required_qualification,"
            " capacity_kg FROM routing.vehicles ORDER BY id")
        rows = await cur.fetchall()
    keys = ("id", "tenant", "plate", "site", "vehicle_type", "required_qualification",
            "capacity_kg")
    return {"tenant": principal.tenant,
            "vehicles": [dict(zip(keys, r, strict=True)) for r in rows]}


@router.get("/routes", response_model=RouteList)
async def routes(request: Request,
                 service_date: Annotated[date | None, Query(
                     ge=date(2000, 1, 1), le=date(2099, 12, 31),
                     examples=[date(2026, 1, 12)])] = None) -> dict:
    """The tenant's routes, optionally of one service date."""
    where, params = ("WHERE r.service_date = %s", (service_date,)) if service_date else ("", ())
    async with tenant_tx(request) as (principal, conn):
        cur = await conn.execute(
            "SELECT r.id, r.tenant_id, r.code, r.site_code, r.service_date, s.code,"
            " r.vehicle_id, r.planned_start, r.planned_end FROM routing.routes AS r"
            " LEFT JOIN roster.shifts AS s ON s.tenant_id = r.tenant_id AND s.id = r.shift_id"
            f" {where} ORDER BY r.service_date, r.code LIMIT 1000", params)
        rows = await cur.fetchall()
    keys = ("id", "tenant", "code", "site", "service_date", "shift", "vehicle_id",
            "planned_start", "planned_end")
    return {"tenant": principal.tenant,
            "routes": [dict(zip(keys, r, strict=True)) for r in rows]}

"""Routes that exist only while a route-adding fault is on (test infrastructure, never production).

Each is a defect a developer could ship and that the gate's PM-103 must find: it lives outside
the guarded prefixes, so nothing authenticates it, and each one hides from a naive probe in
its own way (see `faults.py`):

* `hidden_route`: `GET /internal/tenants`, left out of the OpenAPI document; only the route
  table shows it.
* `body_route`: `POST /api/v1/search/tenants` answers `{}` with 422; a schema-valid body reads
  every tenant.
* `unprovable_route`: `GET /api/v1/exports/{export_token}` answers 404 for every token the
  gate can know; nothing proves it open or closed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import Field

from sandbox.api.context import ctx_of
from sandbox.api.errors import ApiError, error_responses
from sandbox.api.faults import Faults
from sandbox.api.models import Strict, TenantList

TENANTS_SQL = ("SELECT id, name, is_active, created_at FROM core.tenants WHERE id LIKE %s"
               " ORDER BY id")


class TenantSearch(Strict):
    prefix: str = Field(pattern=r"^[a-z][a-z0-9_]{0,20}$", examples=["wien"])


async def _tenants(request: Request, prefix: str = "") -> dict:
    async with ctx_of(request).db.admin() as conn:
        cur = await conn.execute(TENANTS_SQL, (prefix + "%",))
        rows = await cur.fetchall()
    keys = ("id", "name", "is_active", "created_at")
    return {"tenants": [dict(zip(keys, r, strict=True)) for r in rows]}


def router(faults: Faults) -> APIRouter | None:
    """The routes of the switched-on route-adding faults, or None when there are none."""
    out = APIRouter(tags=["faults"])
    added = False
    if faults.on("hidden_route"):
        added = True

        @out.get("/internal/tenants", include_in_schema=False)
        async def hidden_tenants(request: Request) -> dict:
            return await _tenants(request)

    if faults.on("body_route"):
        added = True

        @out.post("/api/v1/search/tenants", response_model=TenantList,
                  responses=error_responses(422))
        async def search_tenants(body: TenantSearch, request: Request) -> dict:
            """Tenants whose id starts with `prefix`."""
            return await _tenants(request, body.prefix)

    if faults.on("unprovable_route"):
        added = True

        @out.get("/api/v1/exports/{export_token}", responses=error_responses(404))
        async def export(request: Request, export_token: Annotated[
                str, Path(pattern=r"^[A-Za-z0-9_-]{8,64}$")]) -> dict:
            """A download by unguessable token: no token the gate can know exists."""
            raise ApiError(404, "not_found", "no such export")

    return out if added else None

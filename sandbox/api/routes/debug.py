"""`GET /api/v1/platform/debug/routes`: the server's actual route table, for the gate's PM-103.

The OpenAPI document lists what a developer chose to document; a route registered with
`include_in_schema=False` is invisible there but answers requests all the same. This lists
every route the router would dispatch to, documented or not.

Who may read it: it is a map of the attack surface, so it is mounted only outside
production (the app factory leaves it out when SOLVEREIGN_ENV=production: there it does not
exist, not even as a refusal), sits under the platform prefix (the guard demands a session
cookie and refuses X-API-Key), and answers only platform admins (403 otherwise).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Security
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from starlette.routing import BaseRoute, Mount, WebSocketRoute

from sandbox.api.errors import ApiError, error_responses
from sandbox.api.principals import operator_of
from sandbox.api.routes.security import session

PATH = "/api/v1/platform/debug/routes"
router = APIRouter(prefix="/api/v1/platform", tags=["platform"],
                   dependencies=[Security(session)],
                   responses=error_responses(401, 403, 503))


class RouteEntry(BaseModel):
    path: str
    methods: list[str]
    in_schema: bool


class RouteTableOut(BaseModel):
    routes: list[RouteEntry]


def table(routes: list[BaseRoute]) -> list[dict]:
    """Every HTTP route as (path template, methods, documented?).

    FastAPI keeps included routers as nested entries; `iter_route_contexts` flattens them
    into the effective routes the server dispatches to (prefixes applied).
    """
    out: list[dict] = []
    for ctx in iter_route_contexts(routes):
        route = ctx.route
        if isinstance(route, WebSocketRoute):
            continue
        path, methods = ctx.path_format or "", ctx.methods
        if isinstance(route, Mount) or methods is None:  # everything below a mounted app
            out.append({"path": path.rstrip("/") + "/{path}", "methods": ["GET"],
                        "in_schema": False})
            continue
        out.append({"path": path, "methods": sorted(m for m in methods if m != "HEAD"),
                    "in_schema": bool(getattr(ctx, "include_in_schema", True))})
    return sorted(out, key=lambda e: (e["path"], e["methods"]))


@router.get("/debug/routes", response_model=RouteTableOut, summary="route table (not production)")
async def route_table(request: Request) -> dict:
    """Every route the server dispatches to, including ones left out of this document."""
    if not operator_of(request).admin:
        raise ApiError(403, "forbidden", "only platform admins read the route table")
    return {"routes": table(list(request.app.routes))}

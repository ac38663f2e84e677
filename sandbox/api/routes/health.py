"""Liveness, readiness and metrics: the routes that need no credentials."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from sandbox.api.context import ctx_of
from sandbox.api.models import Health, Ready

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
async def health(request: Request) -> dict:
    """The process serves; `writes_enabled` is the flag value the API enforces right now."""
    ctx = ctx_of(request)
    return {"status": "healthy", "writes_enabled": ctx.flag.writes_enabled,
            "env": ctx.settings.env, "flag_store": ctx.flag.describe(),
            "uptime_seconds": int(time.monotonic() - ctx.started_at)}


@router.get("/health/ready", response_model=Ready,
            responses={503: {"model": Ready, "description": "not ready"}})
async def ready(request: Request) -> JSONResponse:
    """Ready only when both database pools and the config store answer."""
    ctx = ctx_of(request)
    database = await ctx.db.ping()
    store_ok, store = ctx.flag.store_ok()
    ok = store_ok and all(v == "ok" for v in database.values())
    body = {"ready": ok, "database": database, "config_store": store}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "Prometheus text format"}})
async def metrics(request: Request) -> Response:
    """Prometheus exposition: http_requests_total and http_request_duration_seconds."""
    body, content_type = ctx_of(request).metrics.render()
    return Response(body, media_type=content_type)

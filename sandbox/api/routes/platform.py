"""Platform administration (`/api/v1/platform/...`): session cookie only, as solvereign_platform."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import psycopg
from fastapi import APIRouter, Path, Query, Request, Security
from fastapi.responses import JSONResponse
from psycopg.types.json import Jsonb

from sandbox.api import passwords, sessions
from sandbox.api.context import ApiContext, ctx_of
from sandbox.api.errors import ApiError, error_response, error_responses
from sandbox.api.logs import logger
from sandbox.api.models import (
    TENANT_ID,
    LoginIn,
    LoginOut,
    SecurityEventList,
    Tenant,
    TenantList,
)
from sandbox.api.principals import PlatformPrincipal, operator_of
from sandbox.api.routes.security import session
from sandbox.api.throttle import Engaged

PREFIX = "/api/v1/platform"
public = APIRouter(prefix=PREFIX, tags=["platform"],
                   responses=error_responses(400, 401, 403, 422, 503))
router = APIRouter(prefix=PREFIX, tags=["platform"], dependencies=[Security(session)],
                   responses=error_responses(400, 401, 403, 422, 503))
TenantId = Annotated[str, Path(pattern=TENANT_ID, examples=["wien_pilot"])]
TENANT_COLUMNS = "id, name, is_active, created_at"
THROTTLED = {429: {**error_responses(429)[429], "headers": {"Retry-After": {
    "description": "seconds until a sign-in for this e-mail (or client) is accepted again",
    "schema": {"type": "integer", "minimum": 1}}}}}


@public.post("/login", response_model=LoginOut, responses=THROTTLED)
async def login(body: LoginIn, request: Request) -> JSONResponse:
    """Sign in with e-mail and password; sets the session cookie (exempt from the freeze).

    After SOLVEREIGN_LOGIN_MAX_FAILURES failed attempts for one e-mail (or
    SOLVEREIGN_LOGIN_MAX_FAILURES_PER_CLIENT from one client) within
    SOLVEREIGN_LOGIN_WINDOW_SECONDS, the answer is 429 with Retry-After.
    """
    ctx = ctx_of(request)
    client = request.client.host if request.client else "unknown"
    wait = ctx.throttle.retry_after(body.email, client)
    if wait is not None:
        logger().warning("platform sign-in throttled", extra={
            "event": "login_throttled", "client": client, "retry_after": wait})
        return error_response(429, "too_many_attempts",
                              "too many failed sign-ins; try again later",
                              headers={"Retry-After": str(wait)})
    active = "" if ctx.settings.faults.on("disabled_user_signs_in") else \
        " AND disabled_at IS NULL"
    async with ctx.db.admin() as conn:
        cur = await conn.execute(
            "SELECT id, email, password_hash, is_platform_admin FROM core.users"
            " WHERE lower(email) = lower(%s)" + active, (body.email,))
        row = await cur.fetchone()
    ok = await asyncio.to_thread(passwords.verify, row[2] if row else None, body.password)
    if row is None or not ok:
        await _login_failed(ctx, body.email)
        for engaged in ctx.throttle.failed(body.email, client):
            await _throttled(ctx, body.email, client, engaged)
        raise ApiError(401, "invalid_credentials", "unknown e-mail or wrong password")
    ctx.throttle.succeeded(body.email)
    user = PlatformPrincipal(int(row[0]), str(row[1]), bool(row[3]))
    token, expires = sessions.issue(ctx.settings.session_secret, user,
                                    ctx.settings.session_ttl_seconds)
    expires_at = datetime.fromtimestamp(expires, UTC)
    response = JSONResponse({"email": user.email, "is_platform_admin": user.admin,
                             "expires_at": expires_at.isoformat()})
    response.set_cookie(sessions.COOKIE_NAME, token, max_age=ctx.settings.session_ttl_seconds,
                        path=sessions.COOKIE_PATH, httponly=True, samesite="strict",
                        secure=ctx.settings.env != "development")
    logger().info("platform sign-in", extra={"event": "login", "user_id": user.user_id})
    return response


async def _login_failed(ctx: ApiContext, email: str) -> None:
    """PLATFORM_LOGIN_FAILED, best effort: a logging failure must not change the answer."""
    await _security_event(ctx, "PLATFORM_LOGIN_FAILED", "MEDIUM", {"email": email[:320]})


async def _throttled(ctx: ApiContext, email: str, client: str, engaged: Engaged) -> None:
    """PLATFORM_LOGIN_THROTTLED, once per scope that reaches its limit (not per refusal, so
    a flood of attempts cannot flood the table), and a warning in the API log."""
    details = {"email": email[:320], "client": client, "scope": engaged.scope,
               "failures": engaged.failures,
               "window_seconds": ctx.settings.login_window_seconds}
    logger().warning("platform sign-in throttle engaged", extra={
        "event": "login_throttle_engaged", "scope": engaged.scope, "client": client,
        "failures": engaged.failures})
    await _security_event(ctx, "PLATFORM_LOGIN_THROTTLED", "HIGH", details)


async def _security_event(ctx: ApiContext, event_type: str, severity: str,
                          details: dict) -> None:
    """One row through core.log_security_event, best effort."""
    try:
        async with ctx.db.admin() as conn:
            await conn.execute("SELECT core.log_security_event(%s, %s, %s, %s)",
                               (event_type, severity, None, Jsonb(details)))
    except psycopg.Error as exc:
        logger().warning(f"could not record {event_type}",
                         extra={"event": "security_event_failed", "error": type(exc).__name__})


@router.get("/tenants", response_model=TenantList)
async def tenants(request: Request) -> dict:
    """Every tenant, active or not."""
    operator_of(request)
    async with ctx_of(request).db.admin() as conn:
        cur = await conn.execute(f"SELECT {TENANT_COLUMNS} FROM core.tenants ORDER BY id")
        rows = await cur.fetchall()
    return {"tenants": [_tenant(r) for r in rows]}


@router.get("/tenants/{tenant_id}", response_model=Tenant, responses=error_responses(404))
async def tenant(tenant_id: TenantId, request: Request) -> dict:
    """One tenant."""
    operator_of(request)
    async with ctx_of(request).db.admin() as conn:
        cur = await conn.execute(f"SELECT {TENANT_COLUMNS} FROM core.tenants WHERE id = %s",
                                 (tenant_id,))
        row = await cur.fetchone()
    if row is None:
        raise ApiError(404, "not_found", f"no tenant {tenant_id}")
    return _tenant(row)


@router.post("/tenants/{tenant_id}/deactivate", response_model=Tenant,
             responses=error_responses(404))
async def deactivate(tenant_id: TenantId, request: Request) -> dict:
    """Suspend a tenant (is_active = false); platform admins only. Mutating."""
    user = operator_of(request)
    if not user.admin:
        raise ApiError(403, "forbidden", "only platform admins suspend tenants")
    async with ctx_of(request).db.admin() as conn:
        cur = await conn.execute(
            f"UPDATE core.tenants SET is_active = false WHERE id = %s RETURNING {TENANT_COLUMNS}",
            (tenant_id,))
        row = await cur.fetchone()
    if row is None:
        raise ApiError(404, "not_found", f"no tenant {tenant_id}")
    logger().info("tenant suspended", extra={"event": "tenant_deactivated", "tenant": tenant_id,
                                             "user_id": user.user_id})
    return _tenant(row)


@router.get("/security-events", response_model=SecurityEventList)
async def security_events(
        request: Request,
        event_type: Annotated[str | None, Query(pattern=r"^[A-Z][A-Z0-9_]{2,63}$")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict:
    """The newest security events, optionally of one type."""
    operator_of(request)
    where, params = ("WHERE event_type = %s", [event_type]) if event_type else ("", [])
    async with ctx_of(request).db.admin() as conn:
        cur = await conn.execute(
            "SELECT id, created_at, event_type, severity, tenant_id, details"
            f" FROM core.security_events {where} ORDER BY id DESC LIMIT %s", [*params, limit])
        rows = await cur.fetchall()
    keys = ("id", "created_at", "event_type", "severity", "tenant_id", "details")
    return {"events": [dict(zip(keys, r, strict=True)) for r in rows]}


def _tenant(row: tuple) -> dict:
    return dict(zip(("id", "name", "is_active", "created_at"), row, strict=True))

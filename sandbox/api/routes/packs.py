"""What the pack routers share: the tenant transaction of a request and common answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import psycopg
from fastapi import Request

from sandbox.api.context import ctx_of
from sandbox.api.errors import error_responses
from sandbox.api.principals import TenantPrincipal, tenant_of

PACK_ERRORS = error_responses(400, 401, 403, 422, 503)
WRITE_ERRORS = error_responses(400, 401, 403, 409, 413, 422, 503)
EXAMPLE_WEEK = date(2026, 1, 12)


@asynccontextmanager
async def tenant_tx(request: Request) -> AsyncIterator[tuple[TenantPrincipal,
                                                             psycopg.AsyncConnection]]:
    """The caller's principal and a transaction under its tenant context."""
    principal = tenant_of(request)
    ctx = ctx_of(request)
    route = ctx.routes.match(request.method, request.url.path)[0] or request.url.path
    leaky = ctx.settings.faults.on("pack_uses_platform_role", route)
    async with ctx.db.tenant(principal.tenant, as_platform=leaky) as conn:
        yield principal, conn

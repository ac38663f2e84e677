"""The API's two connection pools and the per-transaction tenant context.

Pack routes connect as `solvereign_api` and set `app.tenant_id` with
`set_config(..., true)` inside each transaction, so row-level security, not a WHERE
clause, is what keeps tenants apart; the setting dies with the transaction, so a pooled
connection never carries one tenant's context into another's request. Platform routes use
a separate pool as `solvereign_platform`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from sandbox.api.settings import ApiSettings

POOL_TIMEOUT = 5.0
STATEMENT_TIMEOUT = "10s"


class DatabaseUnavailable(Exception):
    """No connection could be had in time (server down, pool exhausted)."""


class Database:
    """The api-role and platform-role pools of one app."""

    def __init__(self, settings: ApiSettings) -> None:
        self.api = _pool(settings.api_db_url, "api", settings.pool_size)
        self.platform = _pool(settings.platform_db_url, "platform", settings.pool_size)

    async def open(self) -> None:
        """Start connecting in the background: the API serves /health even with no database."""
        await self.api.open(wait=False)
        await self.platform.open(wait=False)

    async def close(self) -> None:
        """Close both pools (shutdown)."""
        await self.api.close()
        await self.platform.close()

    @asynccontextmanager
    async def tenant(self, tenant_id: str, *,
                     as_platform: bool = False) -> AsyncIterator[psycopg.AsyncConnection]:
        """A transaction with app.tenant_id set; committed on success, rolled back on error.

        `as_platform` exists only for the pack_uses_platform_role fault.
        """
        pool = self.platform if as_platform else self.api
        async with _connection(pool) as conn, conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', %s, true)", (tenant_id,))
            yield conn

    @asynccontextmanager
    async def no_tenant(self) -> AsyncIterator[psycopg.AsyncConnection]:
        """A transaction as the api role without a tenant (key lookup, security events)."""
        async with _connection(self.api) as conn, conn.transaction():
            yield conn

    @asynccontextmanager
    async def admin(self) -> AsyncIterator[psycopg.AsyncConnection]:
        """A transaction as the platform role."""
        async with _connection(self.platform) as conn, conn.transaction():
            yield conn

    async def ping(self) -> dict[str, str]:
        """`ok` or a short error per pool, for /health/ready."""
        out = {}
        for name, pool in (("api", self.api), ("platform", self.platform)):
            try:
                async with _connection(pool, timeout=2.0) as conn:
                    await conn.execute("SELECT 1")
                out[name] = "ok"
            except (DatabaseUnavailable, psycopg.Error) as exc:
                out[name] = f"error: {type(exc).__name__}"
        return out


def _pool(url: str, name: str, size: int) -> AsyncConnectionPool:
    return AsyncConnectionPool(
        url, min_size=1, max_size=size, open=False, name=name, timeout=POOL_TIMEOUT,
        kwargs={"application_name": f"solvereign-sandbox-api-{name}", "connect_timeout": 5,
                "options": f"-c statement_timeout={STATEMENT_TIMEOUT}"})


@asynccontextmanager
async def _connection(pool: AsyncConnectionPool,
                      timeout: float | None = None) -> AsyncIterator[psycopg.AsyncConnection]:
    """A pooled connection; a pool timeout becomes DatabaseUnavailable (HTTP 503)."""
    try:
        async with pool.connection(timeout=timeout) as conn:
            yield conn
    except PoolTimeout:
        raise DatabaseUnavailable(f"no {pool.name} database connection within the timeout") \
            from None

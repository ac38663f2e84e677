"""Everything one running app shares: settings, pools, write flag, metrics.

Built by the app factory and stored on `app.state.ctx`; the guard and the routes reach it
from there, so nothing lives in module globals and two apps in one process stay apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from sandbox.api.db import Database
from sandbox.api.flags import WriteFlag
from sandbox.api.metrics import Metrics
from sandbox.api.routetable import RouteTable
from sandbox.api.settings import ApiSettings
from sandbox.api.throttle import LoginThrottle


@dataclass
class ApiContext:
    """The shared state of one app."""

    settings: ApiSettings
    db: Database
    flag: WriteFlag
    metrics: Metrics
    throttle: LoginThrottle = field(default=None, repr=False)  # type: ignore[assignment]
    app: Any = None
    routes: RouteTable = field(default=None, repr=False)  # type: ignore[assignment]
    started_at: float = 0.0
    _first_tenant: str | None = field(default=None, repr=False)

    async def first_tenant(self) -> str:
        """The first active tenant (only the pack_accepts_cookie fault needs one)."""
        if self._first_tenant is None:
            async with self.db.admin() as conn:
                cur = await conn.execute(
                    "SELECT id FROM core.tenants WHERE is_active ORDER BY id LIMIT 1")
                row = await cur.fetchone()
            self._first_tenant = row[0] if row else ""
        return self._first_tenant


def ctx_of(request: Request) -> ApiContext:
    """The context of the app serving `request`."""
    return request.app.state.ctx

"""The app factory: `create_app(settings)` builds a fresh app; nothing happens at import.

Pools open and the write flag is first read in the lifespan, so a test can build an app
without a database and uvicorn owns start and stop. Middleware, outermost first:
Observe (access log, metrics) -> Chaos (injected errors and latency, only when configured)
-> Guard (auth, replay, freeze) -> the routers.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from sandbox.api import errors
from sandbox.api.chaos import Chaos, ChaosMiddleware
from sandbox.api.context import ApiContext
from sandbox.api.db import Database
from sandbox.api.flags import WriteFlag
from sandbox.api.guard import Guard
from sandbox.api.logs import logger
from sandbox.api.metrics import create_metrics
from sandbox.api.observe import Observe
from sandbox.api.routes import debug, faulty, health, platform, roster, routing
from sandbox.api.routetable import RouteTable
from sandbox.api.settings import ApiSettings
from sandbox.api.throttle import LoginThrottle

VERSION = "1.0.0"
DESCRIPTION = """The SOLVEREIGN sandbox platform API (a stand-in of the real one).

* Platform routes (`/api/v1/platform/...`) authenticate with the session cookie from
  `POST /api/v1/platform/login` only; a request carrying `X-API-Key` gets 401
  `{"error": "wrong_auth_method"}`.
* Pack routes (`/api/v1/routing/...`, `/api/v1/roster/...`) authenticate with `X-API-Key`
  only; without one the answer is 401 `{"error": "missing_api_key"}`. Mutating pack requests
  are signed (see the ApiKeyAuth scheme); a reused nonce is 409 `replay_detected`.
* While `SOLVEREIGN_PLATFORM_WRITES_DISABLED` is true in the config store every mutating
  request except the login is refused with 503 `{"error": "writes_disabled"}`.
"""


def create_app(settings: ApiSettings) -> FastAPI:
    """A new app with its own pools, flag reader and metrics registry."""
    ctx = ApiContext(settings=settings, db=Database(settings), flag=WriteFlag(settings),
                     metrics=create_metrics(),
                     throttle=LoginThrottle(settings.login_max_failures,
                                            settings.login_max_failures_per_client,
                                            settings.login_window_seconds,
                                            enabled=not settings.faults.on("login_not_throttled")))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        ctx.started_at = time.monotonic()
        await ctx.db.open()
        await ctx.flag.start()
        logger().info("api started", extra={"event": "startup", "env": settings.env,
                                            "faults": settings.faults.describe(),
                                            "flag_store": ctx.flag.describe()})
        try:
            yield
        finally:
            await ctx.flag.stop()
            await ctx.db.close()
            logger().info("api stopped", extra={"event": "shutdown"})

    app = FastAPI(title="SOLVEREIGN sandbox API", version=VERSION, description=DESCRIPTION,
                  lifespan=lifespan, docs_url="/docs", redoc_url=None)
    app.state.ctx = ctx
    ctx.app = app
    ctx.routes = RouteTable(app)
    for router in (health.router, platform.public, platform.router, roster.router,
                   routing.router):
        app.include_router(router)
    if not settings.production:  # the route table is a map of the attack surface
        app.include_router(debug.router)
    extra = faulty.router(settings.faults)
    if extra is not None:
        app.include_router(extra)
    errors.install(app)
    app.add_middleware(Guard, ctx=ctx)
    chaos = Chaos.from_env(settings.store_env, settings.production)
    if chaos:
        app.add_middleware(ChaosMiddleware, chaos=chaos)
    app.add_middleware(Observe, ctx=ctx)
    return app

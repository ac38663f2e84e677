"""Outermost middleware: one access-log line and one metrics sample per request.

It sees the final status of everything, the guard's refusals included. The route label is
the path template of the matching route ("unmatched" otherwise). The log line carries
method, route, status, duration, tenant or operator id and a request id; never headers,
query strings, cookies or bodies.
"""

from __future__ import annotations

import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.api.context import ApiContext
from sandbox.api.logs import logger
from sandbox.api.principals import PlatformPrincipal, TenantPrincipal


class Observe:
    """Pure ASGI middleware recording latency and status."""

    def __init__(self, app: ASGIApp, ctx: ApiContext) -> None:
        self.app, self.ctx = app, ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self._record(scope, status, time.perf_counter() - started, request_id)

    def _record(self, scope: Scope, status: int, seconds: float, request_id: str) -> None:
        label = self.ctx.routes.match(scope["method"], scope["path"])[0] or "unmatched"
        self.ctx.metrics.observe(label, scope["method"], status, seconds)
        principal = scope.get("state", {}).get("principal")
        who = {}
        if isinstance(principal, TenantPrincipal):
            who = {"tenant": principal.tenant, "auth": principal.via}
        elif isinstance(principal, PlatformPrincipal):
            who = {"operator_id": principal.user_id, "auth": principal.via}
        client = scope.get("client")
        logger().info("request", extra={
            "event": "request", "request_id": request_id, "method": scope["method"],
            "route": label, "status": status, "duration_ms": round(seconds * 1000, 2),
            "client": client[0] if client else None, **who})

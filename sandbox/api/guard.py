"""The guard: authentication by path, replay protection and the write freeze, for every route.

It is ASGI middleware rather than per-route code, so a route added later under a pack or
platform prefix is protected without anyone remembering to. In order:

1. Platform paths (`/api/v1/platform/...`): a request carrying X-API-Key is refused
   (`wrong_auth_method`, 401); everything but the login needs a valid session cookie
   whose user is, right now, still enabled (and still an admin if it signed in as one).
2. Pack paths (`/api/v1/routing/...`, `/api/v1/roster/...`): X-API-Key only; a request
   without one is refused (`missing_api_key`, 401) whatever cookie it carries.
3. Unknown paths and methods go on to the router (404/405) without touching any state.
4. Mutating pack requests must be signed (see `signing`); the nonce is consumed before
   the freeze is consulted, so replay protection stays provable while writes are frozen.
5. While the write flag is set every mutating request (POST/PUT/PATCH/DELETE) except the
   platform login gets 503 `writes_disabled`, before its body is even validated.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import psycopg
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.api import apikeys, revocation, sessions, signing
from sandbox.api.context import ApiContext
from sandbox.api.db import DatabaseUnavailable
from sandbox.api.errors import MUTATING, error_response
from sandbox.api.logs import logger
from sandbox.api.principals import PlatformPrincipal, TenantPrincipal

PLATFORM_PREFIX = "/api/v1/platform"
PACK_PREFIXES = ("/api/v1/routing", "/api/v1/roster")
LOGIN_ROUTE = "/api/v1/platform/login"
MAX_BODY = 1024 * 1024

Message = MutableMapping[str, Any]


def classify(path: str) -> str | None:
    """`platform`, `pack` or None (public) for a request path."""
    if path == PLATFORM_PREFIX or path.startswith(PLATFORM_PREFIX + "/"):
        return "platform"
    if any(path == p or path.startswith(p + "/") for p in PACK_PREFIXES):
        return "pack"
    return None


class Guard:
    """Pure ASGI middleware; `ctx` carries settings, pools and the write flag."""

    def __init__(self, app: ASGIApp, ctx: ApiContext) -> None:
        self.app, self.ctx = app, ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = classify(scope["path"]) if scope["type"] == "http" else None
        if kind is None:
            await self.app(scope, receive, send)
            return
        try:
            await self._guard(kind, scope, receive, send)
        except (DatabaseUnavailable, psycopg.OperationalError) as exc:
            # the guard runs outside the app's exception handlers: answer like them
            logger().error("database error in the guard", extra={
                "event": "db_error", "error": type(exc).__name__})
            await error_response(503, "database_unavailable",
                                 type(exc).__name__)(scope, receive, send)

    async def _guard(self, kind: str, scope: Scope, receive: Receive, send: Send) -> None:
        """Authenticate, verify the signature and nonce, enforce the freeze, then route."""
        template, routable = self.ctx.routes.match(scope["method"], scope["path"])
        route = template or scope["path"]
        headers = Headers(scope=scope)
        outcome = await self._authenticate(kind, route, headers)
        if not isinstance(outcome, PlatformPrincipal | TenantPrincipal | type(None)):
            await outcome(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = outcome
        if not routable or scope["method"] not in MUTATING:
            await self.app(scope, receive, send)
            return
        if isinstance(outcome, TenantPrincipal) and outcome.via == "api_key":
            body, receive, refusal = await _buffer(receive)
            refusal = refusal or await self._signed(scope, headers, outcome, route, body)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        if (route != LOGIN_ROUTE and not self.ctx.flag.writes_enabled
                and not self.ctx.settings.faults.on("flag_not_enforced", route)):
            await error_response(503, "writes_disabled",
                                 "writes are disabled for the maintenance window",
                                 headers={"Retry-After": "60"})(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _authenticate(self, kind: str, route: str, headers: Headers):
        """The principal, None (login route), or an error response to send."""
        faults = self.ctx.settings.faults
        if faults.on("route_without_auth", route):
            if kind == "pack":
                return TenantPrincipal(tenant="", via="none")
            return PlatformPrincipal(0, "anonymous", admin=True, via="none")
        if kind == "platform":
            return await self._platform(route, headers)
        return await self._pack(route, headers)

    async def _platform(self, route: str, headers: Headers):
        key = headers.get("x-api-key")
        if key is not None:
            if self.ctx.settings.faults.on("platform_accepts_key", route):
                principal = await apikeys.resolve(self.ctx.db, self.ctx.settings.hmac_secret,
                                                  key)
                if principal is not None:
                    return PlatformPrincipal(0, f"api-key:{principal.key_prefix}", admin=True,
                                             via="api_key")
            return error_response(401, "wrong_auth_method",
                                  "platform routes take a session cookie, never an API key")
        if route == LOGIN_ROUTE:
            return None
        token = _cookie(headers, sessions.COOKIE_NAME)
        if token is None:
            return error_response(401, "missing_session", "sign in at " + LOGIN_ROUTE)
        user = sessions.verify(self.ctx.settings.session_secret, token)
        if user is None:
            return error_response(401, "invalid_session", "session expired or not valid")
        if not self.ctx.settings.faults.on("session_not_revoked", route):
            reason = await revocation.refusal(self.ctx.db, user)
            if reason is not None:
                logger().warning("session refused", extra={
                    "event": "session_revoked", "user_id": user.user_id, "reason": reason})
                return error_response(401, "invalid_session",
                                      "this session no longer stands: sign in again")
        return user

    async def _pack(self, route: str, headers: Headers):
        key = headers.get("x-api-key")
        if not key:
            faults = self.ctx.settings.faults
            token = _cookie(headers, sessions.COOKIE_NAME)
            if token and faults.on("pack_accepts_cookie", route):
                user = sessions.verify(self.ctx.settings.session_secret, token)
                if user is not None:
                    return TenantPrincipal(tenant=await self.ctx.first_tenant(), via="cookie")
            return error_response(401, "missing_api_key", "pack routes need an X-API-Key")
        principal = await apikeys.resolve(self.ctx.db, self.ctx.settings.hmac_secret, key)
        if principal is None:
            return error_response(401, "invalid_api_key", "unknown or revoked API key")
        return principal

    async def _signed(self, scope: Scope, headers: Headers, principal: TenantPrincipal,
                      route: str, body: bytes):
        """Signature, then nonce; an error response, or None to go on."""
        key = principal.secret_key
        path_qs = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        if scope.get("query_string"):
            path_qs += "?" + scope["query_string"].decode("latin-1")
        problem = signing.check(headers, key, scope["method"], path_qs, body,
                                self.ctx.settings.signature_skew_seconds, time.time())
        if problem is not None:
            return error_response(401, *problem)
        if self.ctx.settings.faults.on("replay_off", route):
            return None
        nonce = headers["x-nonce"]
        if await signing.consume_nonce(self.ctx.db, principal, nonce):
            return None
        client = scope.get("client")
        await signing.log_replay(self.ctx.db, principal, nonce, scope["method"], route,
                                 client[0] if client else None)
        return error_response(409, "replay_detected", "this nonce was already used")


def _cookie(headers: Headers, name: str) -> str | None:
    """One cookie's value from the Cookie header(s)."""
    for header in headers.getlist("cookie"):
        for part in header.split(";"):
            k, _, v = part.strip().partition("=")
            if k == name and v:
                return v
    return None


async def _buffer(receive: Receive) -> tuple[bytes, Receive, Callable[..., Awaitable] | None]:
    """Read the whole body (bounded) and a receive that replays it to the route."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return b"", receive, error_response(413, "payload_too_large",
                                                f"body larger than {MAX_BODY} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body, sent = b"".join(chunks), False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay, None

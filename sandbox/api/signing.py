"""Signed mutating pack requests: timestamp, nonce and an HMAC over the request.

Headers: `X-Timestamp` (unix seconds), `X-Nonce` (16-128 of [A-Za-z0-9_-], unique per
tenant) and `X-Signature` = lowercase hex HMAC-SHA256, keyed with the clear API key the
request carries in X-API-Key, over

    METHOD "\\n" PATH[?QUERY as sent] "\\n" X-Timestamp "\\n" X-Nonce "\\n" hex(sha256(body))

The server only stores key digests, but it sees the clear key on every request, so it can
verify without holding any client secret. A timestamp outside the allowed skew, a bad
signature or a reused nonce is refused; the nonce goes into core.request_nonces (unique per
tenant), and a reuse is logged as a REPLAY_ATTACK security event.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping

import psycopg
from psycopg.types.json import Jsonb

from sandbox.api.db import Database
from sandbox.api.logs import logger
from sandbox.api.principals import TenantPrincipal

NONCE = re.compile(r"^[A-Za-z0-9_\-]{16,128}$")
SIGNED_HEADERS = ("x-timestamp", "x-nonce", "x-signature")


def string_to_sign(method: str, path_qs: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The exact bytes both sides sign."""
    return "\n".join((method.upper(), path_qs, timestamp, nonce,
                      hashlib.sha256(body).hexdigest())).encode()


def signature(key: str, method: str, path_qs: str, timestamp: str, nonce: str,
              body: bytes) -> str:
    """Hex HMAC-SHA256 of the string to sign, keyed with the API key."""
    return hmac.new(key.encode(), string_to_sign(method, path_qs, timestamp, nonce, body),
                    hashlib.sha256).hexdigest()


def check(headers: Mapping[str, str], key: str, method: str, path_qs: str, body: bytes,
          max_skew: int, now: float | None = None) -> tuple[str, str] | None:
    """None when the signature holds; else (error code, message)."""
    if any(not headers.get(h) for h in SIGNED_HEADERS):
        return "missing_signature", "mutating requests need X-Timestamp, X-Nonce, X-Signature"
    timestamp, nonce = headers["x-timestamp"], headers["x-nonce"]
    if not timestamp.isdigit() or len(timestamp) > 12:
        return "invalid_signature", "X-Timestamp must be unix seconds"
    if abs((now if now is not None else time.time()) - int(timestamp)) > max_skew:
        return "stale_timestamp", f"X-Timestamp is more than {max_skew} s from server time"
    if not NONCE.match(nonce):
        return "invalid_signature", "X-Nonce must be 16-128 characters of [A-Za-z0-9_-]"
    expected = signature(key, method, path_qs, timestamp, nonce, body)
    if not hmac.compare_digest(expected, headers["x-signature"].strip().lower()):
        return "invalid_signature", "X-Signature does not match the request"
    return None


async def consume_nonce(db: Database, principal: TenantPrincipal, nonce: str) -> bool:
    """Record the nonce for the tenant; False when the tenant already used it (a replay)."""
    async with db.tenant(principal.tenant) as conn:
        cur = await conn.execute(
            "INSERT INTO core.request_nonces (tenant_id, nonce) VALUES (%s, %s)"
            " ON CONFLICT DO NOTHING", (principal.tenant, nonce))
        return cur.rowcount == 1


async def log_replay(db: Database, principal: TenantPrincipal, nonce: str, method: str,
                     route: str, client: str | None) -> None:
    """REPLAY_ATTACK into core.security_events through the definer function."""
    details = {"nonce": nonce, "method": method, "route": route,
               "key_prefix": principal.key_prefix, "client": client}
    try:
        async with db.no_tenant() as conn:
            await conn.execute("SELECT core.log_security_event(%s, %s, %s, %s)",
                               ("REPLAY_ATTACK", "HIGH", principal.tenant, Jsonb(details)))
    except psycopg.Error as exc:
        logger().error("could not record REPLAY_ATTACK", extra={
            "event": "security_event_failed", "error": type(exc).__name__})
    logger().warning("replayed nonce refused", extra={
        "event": "replay_attack", "tenant": principal.tenant, "route": route,
        "key_prefix": principal.key_prefix})

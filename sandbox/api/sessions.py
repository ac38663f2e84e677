"""Platform session cookies: a JSON payload signed with HMAC-SHA256(SOLVEREIGN_SESSION_SECRET).

Token = base64url(payload) "." base64url(HMAC(secret, "solvereign-session/v1." + payload)).
The payload carries the user id, e-mail, admin bit and expiry; nothing secret, so it is
not encrypted, only made unforgeable. Verification is constant-time and checks expiry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from sandbox.api.principals import PlatformPrincipal

COOKIE_NAME = "solvereign_session"
COOKIE_PATH = "/api/v1/platform"
_CONTEXT = b"solvereign-session/v1."


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), _CONTEXT + payload.encode(), hashlib.sha256).digest())


def issue(secret: str, user: PlatformPrincipal, ttl_seconds: int,
          now: float | None = None) -> tuple[str, int]:
    """A signed token for `user` and its expiry (unix seconds)."""
    expires = int((now if now is not None else time.time()) + ttl_seconds)
    payload = _b64(json.dumps({"uid": user.user_id, "email": user.email, "adm": user.admin,
                               "exp": expires}, sort_keys=True).encode())
    return f"{payload}.{_mac(secret, payload)}", expires


def verify(secret: str, token: str, now: float | None = None) -> PlatformPrincipal | None:
    """The principal of a valid, unexpired token; None for anything else."""
    if not token or len(token) > 4096 or token.count(".") != 1:
        return None
    payload, mac = token.split(".")
    if not hmac.compare_digest(mac.encode(), _mac(secret, payload).encode()):
        return None
    try:
        doc = json.loads(_unb64(payload))
        expires = int(doc["exp"])
        user = PlatformPrincipal(int(doc["uid"]), str(doc["email"]), bool(doc["adm"]))
    except (ValueError, KeyError, TypeError):
        return None
    if expires < (now if now is not None else time.time()):
        return None
    return user

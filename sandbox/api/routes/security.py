"""The security schemes as OpenAPI documents them; the guard is what enforces them.

These dependencies only read headers so that FastAPI publishes the schemes on every route of
a router (and the gate can enumerate them); authentication itself happens in the guard for
every path under the prefixes, documented or not.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header
from fastapi.security import APIKeyCookie, APIKeyHeader

from sandbox.api.sessions import COOKIE_NAME

api_key = APIKeyHeader(
    name="X-API-Key", scheme_name="ApiKeyAuth", auto_error=False,
    description="Pack routes (/api/v1/routing, /api/v1/roster): the tenant's API key. "
                "Mutating requests are also signed: X-Timestamp, X-Nonce and X-Signature = "
                "hex HMAC-SHA256(key=API key, METHOD\\nPATH?QUERY\\nX-Timestamp\\nX-Nonce\\n"
                "hex(sha256(body))).")
session = APIKeyCookie(
    name=COOKIE_NAME, scheme_name="SessionCookie", auto_error=False,
    description="Platform routes (/api/v1/platform): the session cookie issued by "
                "POST /api/v1/platform/login. A request carrying X-API-Key is refused.")


def signed(
    x_timestamp: Annotated[str, Header(pattern=r"^[0-9]{1,12}$",
                                       description="unix seconds; within the allowed skew")],
    x_nonce: Annotated[str, Header(pattern=r"^[A-Za-z0-9_\-]{16,128}$",
                                   description="unique per tenant; a reuse is a replay")],
    x_signature: Annotated[str, Header(pattern=r"^[0-9a-fA-F]{64}$",
                                       description="hex HMAC-SHA256, see ApiKeyAuth")],
) -> None:
    """Documents the signature headers of mutating pack routes (the guard verified them)."""

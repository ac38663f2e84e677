"""Who a request acts for, as the guard established it; handlers read it, never headers."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from sandbox.api.errors import ApiError


@dataclass(frozen=True)
class TenantPrincipal:
    """A pack caller: the tenant its API key belongs to (`via` says how it was established)."""

    tenant: str
    key_id: int | None = None
    key_prefix: str = ""
    scopes: tuple[str, ...] = ()
    via: str = "api_key"
    #: the clear key, only to verify the request signature; never printed or compared
    secret_key: str = field(default="", repr=False, compare=False)


@dataclass(frozen=True)
class PlatformPrincipal:
    """A platform operator signed in with a session cookie."""

    user_id: int
    email: str
    admin: bool
    via: str = "session"


def tenant_of(request: Request) -> TenantPrincipal:
    """The pack principal of this request (the guard put it there)."""
    principal = request.scope.get("state", {}).get("principal")
    if not isinstance(principal, TenantPrincipal):
        raise ApiError(401, "missing_api_key", "this route needs an X-API-Key")
    return principal


def operator_of(request: Request) -> PlatformPrincipal:
    """The platform principal of this request (the guard put it there)."""
    principal = request.scope.get("state", {}).get("principal")
    if not isinstance(principal, PlatformPrincipal):
        raise ApiError(401, "missing_session", "this route needs a platform session")
    return principal

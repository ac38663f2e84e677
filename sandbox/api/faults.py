"""Deliberate defects for the gate's own tests (test infrastructure, never production).

SOLVEREIGN_SANDBOX_FAULTS is a comma-separated list of `name` or `name:/route/template`.
Without a route a fault applies to every route it can affect; with one, only to the route
whose OpenAPI path template matches exactly (e.g. `/api/v1/roster/plans/{plan_id}`). The
settings refuse the variable when SOLVEREIGN_ENV=production, so a production process can
never run with a defect switched on.

Each fault breaks exactly one property that a gate check owns:

| fault | what the broken API does |
|---|---|
| platform_accepts_key | a platform route takes a valid X-API-Key as a platform login |
| pack_accepts_cookie | a pack route takes a valid session cookie instead of an API key |
| route_without_auth | a route skips authentication altogether |
| replay_off | signed requests are not checked for reused nonces |
| ignore_flag | the write flag is never read: writes stay enabled, /health says so |
| flag_not_enforced | /health reports the flag, but the route does not refuse writes |
| pack_uses_platform_role | a pack route queries as solvereign_platform (sees every tenant) |
| hidden_route | adds `GET /internal/tenants`, left out of the OpenAPI document, with no auth |
| body_route | adds `POST /api/v1/search/tenants` no auth: `{}` is 422, a valid body reads |
| unprovable_route | adds `GET /api/v1/exports/{export_token}`, no auth, 404 for any token |
| session_not_revoked | a session cookie keeps working after its user is disabled or loses admin |
| login_not_throttled | failed platform logins are never throttled |
| disabled_user_signs_in | the login signs in a disabled user |

The three `*_route` faults add routes (they take no route template); the clean API has none
of them, so the route set the gate enumerates is unchanged without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cutover.errors import ConfigError

FAULTS_VAR = "SOLVEREIGN_SANDBOX_FAULTS"
KNOWN = ("platform_accepts_key", "pack_accepts_cookie", "route_without_auth", "replay_off",
         "ignore_flag", "flag_not_enforced", "pack_uses_platform_role", "hidden_route",
         "body_route", "unprovable_route", "session_not_revoked", "login_not_throttled",
         "disabled_user_signs_in")
EVERY_ROUTE = "*"


@dataclass(frozen=True)
class Faults:
    """Fault name -> route templates it applies to (`*` = every route)."""

    active: dict[str, frozenset[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.active)

    def on(self, name: str, route: str | None = None) -> bool:
        """Is fault `name` switched on for `route` (or at all, when route is None)?"""
        routes = self.active.get(name)
        if routes is None:
            return False
        return route is None or EVERY_ROUTE in routes or route in routes

    def describe(self) -> list[str]:
        """The switched-on faults, for the startup log line."""
        return sorted(f"{n}:{r}" for n, routes in self.active.items() for r in routes)


def parse_faults(raw: str) -> Faults:
    """Parse the variable; an unknown fault name is an error, not a silent no-op."""
    active: dict[str, set[str]] = {}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        name, _, route = part.partition(":")
        if name not in KNOWN:
            raise ConfigError(f"{FAULTS_VAR}: unknown fault {name!r} (known: {', '.join(KNOWN)})")
        if route and not route.startswith("/"):
            raise ConfigError(f"{FAULTS_VAR}: route of {name} must start with / (got {route!r})")
        active.setdefault(name, set()).add(route or EVERY_ROUTE)
    return Faults({k: frozenset(v) for k, v in active.items()})

"""Fault injection for rehearsing the post-deploy triggers (test infrastructure).

SOLVEREIGN_SANDBOX_ERROR_RATE (0..1) answers that share of application requests with a
500, spread evenly and deterministically (request n fails when floor(n * rate) grows);
SOLVEREIGN_SANDBOX_ADDED_LATENCY_MS delays every application request. /health, /metrics
and the OpenAPI document are never touched, so the watch still sees the API. Both are
refused when SOLVEREIGN_ENV=production, like the fault switches.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

from cutover.errors import ConfigError

RATE_VAR = "SOLVEREIGN_SANDBOX_ERROR_RATE"
LATENCY_VAR = "SOLVEREIGN_SANDBOX_ADDED_LATENCY_MS"
UNTOUCHED = ("/health", "/metrics", "/openapi.json", "/docs")


@dataclass(frozen=True)
class Chaos:
    """What to inject; the default injects nothing."""

    error_rate: float = 0.0
    latency_ms: float = 0.0

    def __bool__(self) -> bool:
        return self.error_rate > 0 or self.latency_ms > 0

    @classmethod
    def from_env(cls, env: Mapping[str, str], production: bool) -> Chaos:
        """Read and bound the two settings; refused in production."""
        values = {}
        for var, high in ((RATE_VAR, 1.0), (LATENCY_VAR, 60000.0)):
            raw = (env.get(var) or "").strip()
            if not raw:
                values[var] = 0.0
                continue
            try:
                values[var] = float(raw)
            except ValueError:
                raise ConfigError(f"{var} must be a number (got {raw!r})") from None
            if not 0 <= values[var] <= high:
                raise ConfigError(f"{var} must be between 0 and {high:g} (got {raw!r})")
        chaos = cls(values[RATE_VAR], values[LATENCY_VAR])
        if chaos and production:
            raise ConfigError(f"{RATE_VAR} and {LATENCY_VAR} are test infrastructure and are "
                              "refused when SOLVEREIGN_ENV=production")
        return chaos


class ChaosMiddleware:
    """ASGI middleware: inside Observe, so metrics and logs record what it injects."""

    def __init__(self, app, chaos: Chaos) -> None:
        self.app, self.chaos, self.count = app, chaos, 0

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not self.chaos or path.startswith(UNTOUCHED):
            await self.app(scope, receive, send)
            return
        if self.chaos.latency_ms:
            await asyncio.sleep(self.chaos.latency_ms / 1000)
        self.count += 1
        rate = self.chaos.error_rate
        if math.floor(self.count * rate) > math.floor((self.count - 1) * rate):
            body = json.dumps({"error": "injected_fault"}).encode()
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)

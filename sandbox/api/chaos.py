"""Fault injection for rehearsing the post-deploy triggers (test infrastructure).

SOLVEREIGN_SANDBOX_ERROR_RATE (0..1) answers that share of application requests with a
500, spread evenly and deterministically (request n fails when floor(n * rate) grows);
SOLVEREIGN_SANDBOX_ADDED_LATENCY_MS delays every application request;
SOLVEREIGN_SANDBOX_REPLAY_EVERY=N delivers every N-th signed request (one carrying X-Nonce)
to the application a second time, byte for byte, as a network replay would: the client
gets the first answer, the copy meets the nonce check and is logged as REPLAY_ATTACK.
/health, /metrics and the OpenAPI document are never touched, so the watch still sees the
API. All three are refused when SOLVEREIGN_ENV=production, like the fault switches.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

from cutover.errors import ConfigError
from sandbox.api.logs import logger

RATE_VAR = "SOLVEREIGN_SANDBOX_ERROR_RATE"
LATENCY_VAR = "SOLVEREIGN_SANDBOX_ADDED_LATENCY_MS"
REPLAY_VAR = "SOLVEREIGN_SANDBOX_REPLAY_EVERY"
UNTOUCHED = ("/health", "/metrics", "/openapi.json", "/docs")


@dataclass(frozen=True)
class Chaos:
    """What to inject; the default injects nothing."""

    error_rate: float = 0.0
    latency_ms: float = 0.0
    replay_every: int = 0

    def __bool__(self) -> bool:
        return self.error_rate > 0 or self.latency_ms > 0 or self.replay_every > 0

    @classmethod
    def from_env(cls, env: Mapping[str, str], production: bool) -> Chaos:
        """Read and bound the settings; refused in production."""
        values = {}
        for var, high in ((RATE_VAR, 1.0), (LATENCY_VAR, 60000.0), (REPLAY_VAR, 1e6)):
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
        if values[REPLAY_VAR] != int(values[REPLAY_VAR]):
            raise ConfigError(f"{REPLAY_VAR} must be a whole number (got {env[REPLAY_VAR]!r})")
        chaos = cls(values[RATE_VAR], values[LATENCY_VAR], int(values[REPLAY_VAR]))
        if chaos and production:
            raise ConfigError(f"{RATE_VAR}, {LATENCY_VAR} and {REPLAY_VAR} are test "
                              "infrastructure and are refused when SOLVEREIGN_ENV=production")
        return chaos


async def _read_body(receive) -> bytes:
    """The whole request body (a replay needs it twice)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay_receive(body: bytes, after=None):
    """A receive() that hands over `body` once, then defers to `after` (or waits forever,
    as a client that keeps the connection open does)."""
    delivered = False

    async def receive():
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        if after is not None:
            return await after()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    return receive


class ChaosMiddleware:
    """ASGI middleware: inside Observe, so metrics and logs record what it injects."""

    def __init__(self, app, chaos: Chaos) -> None:
        self.app, self.chaos, self.count, self.signed = app, chaos, 0, 0

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
        if self.chaos.replay_every and any(k == b"x-nonce" for k, _ in scope["headers"]):
            self.signed += 1
            if self.signed % self.chaos.replay_every == 0:
                await self._twice(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _twice(self, scope, receive, send) -> None:
        """Deliver the request, then the identical copy; the copy's answer is only logged."""
        body = await _read_body(receive)
        await self.app(scope, _replay_receive(body, receive), send)
        answered: list[int] = []

        async def discard(message) -> None:
            if message["type"] == "http.response.start":
                answered.append(message["status"])

        await self.app(dict(scope), _replay_receive(body), discard)
        logger().warning("injected replay", extra={
            "event": "chaos_replay", "path": scope.get("path"),
            "status": answered[0] if answered else None})

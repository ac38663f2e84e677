"""Throttling of failed platform sign-ins: per account and per client, in a sliding window.

Password guessing against one account and password spraying from one client both show up
as failed logins; after `max_failures` of them within `window_seconds` the login answers
429 with Retry-After (before the password is even checked, so a throttled guess learns
nothing and costs no scrypt). A successful login clears the account's count, never the
client's. State is in memory, per process: the sandbox runs one process (a replicated
deployment would keep it in a shared store). The clock is injectable, so tests assert on
counts, never on sleeping.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

MAX_KEYS = 10_000  # bounded memory under a flood of distinct e-mails or clients


@dataclass(frozen=True)
class Engaged:
    """A scope that just reached its limit (logged once as PLATFORM_LOGIN_THROTTLED)."""

    scope: str  # "account" or "client"
    key: str
    failures: int


class _Window:
    """The last `limit` failure times per key, oldest keys evicted first."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.times: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, key: str, now: float, window: float) -> float | None:
        """Seconds until `key` may try again, or None when it is not throttled."""
        times = self.times.get(key)
        if times is None or len(times) < self.limit:
            return None
        left = times[0] + window - now
        return left if left > 0 else None

    def add(self, key: str, now: float) -> int:
        """Record one failure; the number of failures kept for `key`."""
        times = self.times.pop(key, None) or deque(maxlen=self.limit)
        times.append(now)
        self.times[key] = times
        while len(self.times) > MAX_KEYS:
            self.times.popitem(last=False)
        return len(times)

    def clear(self, key: str) -> None:
        self.times.pop(key, None)


class LoginThrottle:
    """Per-account and per-client failure windows; `enabled=False` never throttles."""

    def __init__(self, max_failures: int, max_per_client: int, window_seconds: float, *,
                 enabled: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self.window, self.enabled, self.clock = window_seconds, enabled, clock
        self.accounts, self.clients = _Window(max_failures), _Window(max_per_client)

    def retry_after(self, email: str, client: str) -> int | None:
        """Whole seconds to wait (>= 1) when this account or client is throttled, else None."""
        if not self.enabled:
            return None
        now = self.clock()
        waits = [w for w in (self.accounts.retry_after(_account(email), now, self.window),
                             self.clients.retry_after(client, now, self.window))
                 if w is not None]
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, email: str, client: str) -> list[Engaged]:
        """Record a failed login; the scopes this failure pushed onto their limit."""
        if not self.enabled:
            return []
        now, out = self.clock(), []
        for scope, window, key in (("account", self.accounts, _account(email)),
                                   ("client", self.clients, client)):
            was = window.retry_after(key, now, self.window)
            count = window.add(key, now)
            if was is None and window.retry_after(key, now, self.window) is not None:
                out.append(Engaged(scope, key, count))
        return out

    def succeeded(self, email: str) -> None:
        """A correct password clears the account's failures (not the client's)."""
        self.accounts.clear(_account(email))


def _account(email: str) -> str:
    return email.strip().lower()

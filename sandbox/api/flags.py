"""The write-freeze flag as the application sees it (docs/configuration.md).

The flag lives in the config store (`cutover.configstore.open_store`: Azure App
Configuration or the sandbox's local file). The API re-reads it every
SOLVEREIGN_FLAG_REFRESH_SECONDS in a background task, like a real application with a
refresh interval, so a freeze takes effect within one interval and /health reports the
value the application actually enforces. A read that fails keeps writes disabled (fail
closed): an unreadable store during a maintenance window must not let writes through.
An absent key or a malformed value is the same: writes disabled (fail closed), and the
reason is kept so /health/ready and the watch can report it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

from cutover.configstore import ConfigStore, WritesState, open_store, read_writes_state
from cutover.errors import CutoverError
from sandbox.api.logs import logger
from sandbox.api.settings import ApiSettings

STORE_TIMEOUT = 5.0


@dataclass
class FlagReading:
    """The last read of the flag: value, when (monotonic), and the error if it failed."""

    disabled: bool = True
    read_at: float | None = None
    error: str | None = "not read yet"


class WriteFlag:
    """Reads the flag on an interval; `writes_enabled` is what every mutating route obeys."""

    def __init__(self, settings: ApiSettings) -> None:
        self.interval = settings.flag_refresh_seconds
        self.label = settings.flag_label
        self.ignored = settings.faults.on("ignore_flag")
        self.store: ConfigStore | None = None if self.ignored else open_store(
            settings.store_env, retry_total=0, timeout=STORE_TIMEOUT)
        self.reading = FlagReading()
        self._task: asyncio.Task[None] | None = None

    @property
    def writes_enabled(self) -> bool:
        """False while the flag is set, and while it cannot be read."""
        return True if self.ignored else not self.reading.disabled

    def store_ok(self) -> tuple[bool, str]:
        """Did the last read succeed recently enough (three intervals, at least 5 s)?"""
        if self.ignored:
            return True, "not consulted"
        reading = self.reading
        if reading.error is not None or reading.read_at is None:
            return False, f"error: {reading.error}"
        age = time.monotonic() - reading.read_at
        if age > max(3 * self.interval, 5.0):
            return False, f"error: last successful read {age:.0f} s ago"
        return True, "ok"

    def describe(self) -> str:
        """Which store, for /health; never a secret."""
        return "ignored (fault)" if self.store is None else self.store.describe()

    async def refresh(self) -> None:
        """Read the flag once; on failure keep writes disabled and remember why."""
        if self.store is None:
            return
        try:
            state = await asyncio.wait_for(asyncio.to_thread(self._read), STORE_TIMEOUT + 1)
            if state.problem is not None:  # missing or malformed: fail closed
                raise CutoverError(state.problem)
            found = state.disabled
        except (CutoverError, TimeoutError, OSError) as exc:
            if self.reading.error is None:
                logger().warning("write flag unreadable; writes disabled until it reads",
                                 extra={"event": "flag_error", "error": str(exc)[:300]})
            self.reading = FlagReading(True, self.reading.read_at, str(exc)[:300] or "timeout")
            return
        if found != self.reading.disabled or self.reading.error is not None:
            logger().info("write flag read", extra={"event": "flag_changed",
                                                    "writes_disabled": found})
        self.reading = FlagReading(found, time.monotonic(), None)

    def _read(self) -> WritesState:
        assert self.store is not None
        return read_writes_state(self.store, self.label)

    async def start(self) -> None:
        """First read before serving, then the refresh loop in the background."""
        await self.refresh()
        if self.store is not None:
            self._task = asyncio.create_task(self._loop(), name="write-flag-refresh")

    async def _loop(self) -> None:
        """Never dies on a surprise: an unexpected error counts as an unreadable store."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.refresh()
            except Exception as exc:
                self.reading = FlagReading(True, self.reading.read_at, type(exc).__name__)

    async def stop(self) -> None:
        """Cancel the loop and close the store."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.store is not None:
            await asyncio.to_thread(self.store.close)

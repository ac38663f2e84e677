"""Plain helpers shared by the config-store tests (no fixtures: see fixtures.py)."""

from __future__ import annotations

import socket

CREDENTIAL_ID = "loopback-test-id"

# Fast knobs for tests: no transport retries, no sleeping between 412 retries.
FAST = {"retry_total": 0, "retry_interval": 0.0, "timeout": 5.0}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def flip_flag(path: str, times: int, start: object, results: object) -> None:
    """Worker for the multi-process test: set the flag `times` times, report what happened.

    Lives here (an importable module) because spawned processes import their target. It
    waits for `start` so both workers really overlap; it reports the etags it wrote, the
    conflicts it gave up on and how many write attempts it made (attempts beyond `times`
    are 412 retries, i.e. proof that the processes did race).
    """
    from cutover.configstore import WRITES_DISABLED_KEY, ConflictError, LocalConfigStore

    attempts = []
    store = LocalConfigStore(
        path, max_attempts=100, retry_interval=0.0, before_write=lambda *_: attempts.append(1)
    )
    etags, conflicts = [], 0
    start.wait(30)  # type: ignore[attr-defined]
    for i in range(times):
        try:
            etags.append(store.set_flag(WRITES_DISABLED_KEY, i % 2 == 0).etag)
        except ConflictError:
            conflicts += 1
    results.put((etags, conflicts, len(attempts)))  # type: ignore[attr-defined]

"""The sandbox's clients: a steady, small mix of authenticated reads against its API.

A live platform always has traffic, and `cutover watch` judges the 5xx rate of that traffic:
a window with no requests is "no data", never healthy. The sandbox's API has no users, so
this process stands in for them: two tenants' API keys (the probe keys `sandbox up
--with-api` derives from the seed) reading their roster and routing packs, about `rate`
requests a second, round the clock. It only ever reads, so it never writes while the freeze
flag is set (nor at any other time) and never changes what a backup or a gate sees.

Run by `cutover sandbox up --with-api --traffic` (sandbox/traffic_process.py starts it in
its own session); it stops when `sandbox down` signals it, when its pid file stops naming
it, or when the sandbox's directory is gone. Its log (`<sandbox>/traffic.log`) holds one
JSON line when the first answer arrives and a tally every minute; never a key.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx

from sandbox.seed import WEEK_START
from sandbox.state import STATE_FILE, SandboxState

PID_FILE = "traffic.pid"
LOG_FILE = "traffic.log"
DEFAULT_RATE = 2.0  # requests a second
TALLY_SECONDS = 60.0
#: what a tenant's dispatch tools read, and how often relative to each other
MIX: tuple[tuple[str, int], ...] = (
    ("/api/v1/roster/status", 4),
    ("/api/v1/roster/drivers", 2),
    (f"/api/v1/roster/shifts?week_start={WEEK_START.isoformat()}", 3),
    ("/api/v1/roster/plans", 2),
    ("/api/v1/routing/status", 2),
    ("/api/v1/routing/vehicles", 1),
    (f"/api/v1/routing/routes?service_date={WEEK_START.isoformat()}", 2),
)
KEY_VARS = ("SOLVEREIGN_PROBE_API_KEY_A", "SOLVEREIGN_PROBE_API_KEY_B")


def schedule(seed: int = 94) -> Iterator[tuple[int, str]]:
    """(which tenant's key, path) forever, drawn by weight from MIX with a fixed seed."""
    rng = random.Random(seed)
    paths = [p for p, _ in MIX]
    weights = [w for _, w in MIX]
    while True:
        yield rng.randrange(len(KEY_VARS)), rng.choices(paths, weights)[0]


def still_wanted(root: Path) -> bool:
    """Keep going while the sandbox exists and the pid file names this process."""
    try:
        named = (root / PID_FILE).read_text().strip()
    except OSError:
        return False
    return named == str(os.getpid()) and (root / STATE_FILE).exists()


def _keys(state: SandboxState) -> list[str]:
    keys = [state.extra.get(v, "") for v in KEY_VARS]
    if not all(keys):
        raise SystemExit("sandbox traffic: the sandbox has no probe API keys "
                         "(start it with --with-api)")
    return keys


def _log(record: dict) -> None:
    """One JSON line on stdout (the launcher points it at traffic.log)."""
    print(json.dumps({"ts": datetime.now(UTC).isoformat(), **record}, sort_keys=True),
          flush=True)


def run(root: Path, rate: float) -> int:
    """Send the mix at `rate` requests a second until no longer wanted."""
    state = SandboxState.load(root)
    if state is None or not state.api_url:
        raise SystemExit(f"sandbox traffic: no sandbox API in {root}")
    keys = _keys(state)
    (root / PID_FILE).write_text(f"{os.getpid()}\n")
    period = 1.0 / rate
    tally: dict[str, int] = {}
    first = True
    last_tally = next_at = time.monotonic()
    with httpx.Client(timeout=5.0) as client:
        for which, path in schedule():
            if not still_wanted(root):
                _log({"event": "stopped", "tally": tally})
                return 0
            status = _get(client, state, keys[which], path)
            tally[status] = tally.get(status, 0) + 1
            if first and status.isdigit():
                _log({"event": "first_response", "status": int(status), "path": path})
                first = False
            now = time.monotonic()
            if now - last_tally >= TALLY_SECONDS:
                _log({"event": "tally", "rate": rate, "tally": tally})
                last_tally = now
            next_at += period
            time.sleep(max(0.0, next_at - time.monotonic()))
            if time.monotonic() - next_at > 10 * period:  # fell far behind: do not burst
                next_at = time.monotonic()
    return 0


def _get(client: httpx.Client, state: SandboxState, key: str, path: str) -> str:
    """One read; the answer's status, or `unreachable` (the API is being redeployed:
    the sandbox state is re-read, the port stays the same)."""
    try:
        return str(client.get(state.api_url.rstrip("/") + path,
                              headers={"X-API-Key": key}).status_code)
    except httpx.HTTPError:
        fresh = SandboxState.load(Path(state.root))
        if fresh is not None and fresh.api_url:
            state.api_url = fresh.api_url
        return "unreachable"


def positive_rate(text: str) -> float:
    """A request rate: a number above 0 and at most 50 a second (small, by design)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 50:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 50 (got {text})")
    return value


def main(argv: list[str] | None = None) -> int:
    """`python -m sandbox.traffic --data-dir DIR [--rate R]`."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.traffic",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="the sandbox directory")
    parser.add_argument("--rate", type=positive_rate, default=DEFAULT_RATE,
                        help=f"requests a second (default {DEFAULT_RATE:g})")
    args = parser.parse_args(argv)
    return run(args.data_dir.resolve(), args.rate)


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: requests/s and p50/p99 latency of the sandbox API under a bounded load.

The load comes from a second process on loopback (an httpx load loop with a fixed number of
concurrent connections), bounded in request count and in time; it measures `/health` and one
pack read (`GET /api/v1/roster/drivers`, 50 rows under RLS). Prints the margin against the
runbook's post-deploy rollback trigger, p99 > 2 s. Not a test: it asserts nothing.

    python bench/bench_api.py [--requests 2000] [--concurrency 8] [--max-seconds 60]
                              [--json FILE]
    python bench/bench_api.py --api-url URL --api-key KEY     # against a running API

Without --api-url it starts a sandbox (`cutover sandbox up --at latest --with-api`) in a
temporary directory and stops it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TRIGGER_P99 = 2.0
WARMUP = 50


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def _load(url: str, headers: dict[str, str], count: int, concurrency: int,
                max_seconds: float) -> dict:
    """`count` GETs over `concurrency` connections, stopping early at `max_seconds`."""
    import httpx

    latencies: list[float] = []
    errors = 0
    remaining = count
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:
        for _ in range(WARMUP):
            await client.get(url)
        deadline = time.monotonic() + max_seconds

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0 and time.monotonic() < deadline:
                remaining -= 1
                t0 = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - t0)
                errors += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "errors": errors, "seconds": elapsed,
            "rps": len(latencies) / elapsed if elapsed else 0.0,
            "p50": _percentile(latencies, 0.50), "p99": _percentile(latencies, 0.99),
            "max": max(latencies), "mean": statistics.fmean(latencies)}


def _worker_main(argv: list[str]) -> None:
    """The load process: prints one JSON line with its measurements."""
    url, count, concurrency, max_seconds = argv[0], int(argv[1]), int(argv[2]), float(argv[3])
    key = os.environ.get("BENCH_API_KEY")
    headers = {"X-API-Key": key} if key else {}
    print(json.dumps(asyncio.run(_load(url, headers, count, concurrency, max_seconds))))


def _measure(url: str, key: str | None, args: argparse.Namespace) -> dict:
    """Run the load loop in a second process and return its figures."""
    env = dict(os.environ, BENCH_API_KEY=key or "")
    proc = subprocess.run([sys.executable, __file__, "--worker", url, str(args.requests),
                           str(args.concurrency), str(args.max_seconds)], env=env,
                          capture_output=True, text=True, check=True,
                          timeout=args.max_seconds + 120)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _sandbox(root: Path) -> dict[str, str]:
    """Start a sandbox with its API; returns the exported variables."""
    proc = subprocess.run([sys.executable, "-m", "cutover.cli", "sandbox", "up", "--at",
                           "latest", "--with-api", "--data-dir", str(root)], cwd=ROOT,
                          capture_output=True, text=True, check=True, timeout=600)
    env = {}
    for line in proc.stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = shlex.split(value)[0]
    return env


def _report(name: str, figures: dict) -> list[dict[str, object]]:
    margin = TRIGGER_P99 / figures["p99"] if figures["p99"] else float("inf")
    print(f"{name:<32} {figures['rps']:>8.0f} req/s  p50 {figures['p50'] * 1000:7.2f} ms  "
          f"p99 {figures['p99'] * 1000:7.2f} ms  max {figures['max'] * 1000:7.1f} ms  "
          f"errors {figures['errors']}/{figures['requests']}  "
          f"p99 margin to the 2 s trigger: {TRIGGER_P99 - figures['p99']:.3f} s "
          f"({margin:,.0f}x)")
    from bench.figures import record

    return [record(f"api {name} p99", figures["p99"], "s", TRIGGER_P99),
            record(f"api {name} throughput", figures["rps"], "req/s")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=60.0, help="per endpoint")
    parser.add_argument("--api-url", help="a running API (default: start a sandbox)")
    parser.add_argument("--api-key", help="pack key for the read (default: the sandbox probe key)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON records")
    args = parser.parse_args()
    if args.requests < 1 or args.concurrency < 1 or args.max_seconds <= 0:
        parser.error("--requests, --concurrency and --max-seconds must be positive")
    root = None
    if args.api_url:
        url, key = args.api_url.rstrip("/"), args.api_key
    else:
        root = Path(tempfile.mkdtemp(prefix="bench-api-")) / "sandbox"
        env = _sandbox(root)
        url, key = env["SOLVEREIGN_API_URL"], env["SOLVEREIGN_PROBE_API_KEY_A"]
    try:
        print(f"load: {args.requests} requests per endpoint, {args.concurrency} connections, "
              f"at most {args.max_seconds:g} s, from a second process on loopback")
        records = _report("GET /health", _measure(url + "/health", None, args))
        if key:
            records += _report("GET /api/v1/roster/drivers",
                               _measure(url + "/api/v1/roster/drivers", key, args))
        from bench.figures import write

        write(args.json, records)
    finally:
        if root is not None:
            subprocess.run([sys.executable, "-m", "cutover.cli", "sandbox", "down",
                            "--data-dir", str(root)], cwd=ROOT, capture_output=True,
                           check=False, timeout=120)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        _worker_main(sys.argv[2:])
    else:
        main()

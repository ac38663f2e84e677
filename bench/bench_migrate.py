"""Benchmark: our runner vs `psql -X -v ON_ERROR_STOP=1 --single-transaction -f` per file.

Both apply the same baseline files (001..024) to fresh databases on the same embedded
cluster, alternating, in one process; prints medians and the ratio (target <= 1.2).
Also prints the median time from an empty directory to the first query of a sandbox
cluster. Not a test: it asserts nothing, it reports.

    python bench/bench_migrate.py [--rounds 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.figures import record, server_version, write  # noqa: E402
from cutover.migrate.files import default_directory, discover  # noqa: E402
from cutover.migrate.runner import RunnerOptions, migrate  # noqa: E402
from cutover.pg.embedded import EmbeddedCluster, bin_path  # noqa: E402
from cutover.pg.url import role_url  # noqa: E402
from sandbox.bootstrap import bootstrap_roles, create_platform_database  # noqa: E402


def _baseline() -> list[Path]:
    return [m.path for m in discover(default_directory()) if int(m.version[:3]) <= 24]


def _psql(url: str, files: list[Path]) -> None:
    for f in files:
        subprocess.run([str(bin_path() / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        "--single-transaction", "-f", str(f), url], check=True,
                       capture_output=True)


def _runner(url: str, files: list[Path]) -> None:
    with tempfile.TemporaryDirectory() as d:
        for f in files:
            (Path(d) / f.name).write_bytes(f.read_bytes())
        migrate(url, Path(d), RunnerOptions())


def bench_migrations(rounds: int) -> list[dict[str, object]]:
    files = _baseline()
    cluster = EmbeddedCluster(fast=False).start()
    try:
        pw = bootstrap_roles(cluster.admin_url)
        times: dict[str, list[float]] = {"psql": [], "runner": []}
        for i in range(rounds):
            for name, fn in (("psql", _psql), ("runner", _runner)):
                db = f"bench_{name}_{i}"
                create_platform_database(cluster.admin_url, db)
                url = role_url(cluster.admin_url, "solvereign_migrator",
                               pw["solvereign_migrator"], db)
                t = time.perf_counter()
                fn(url, files)
                times[name].append(time.perf_counter() - t)
        p, r = statistics.median(times["psql"]), statistics.median(times["runner"])
        print(f"baseline files: {len(files)}; rounds: {rounds}")
        print(f"psql -f per file   median {p * 1000:8.1f} ms  (min {min(times['psql'])*1000:.1f})")
        rmin = min(times["runner"]) * 1000
        print(f"cutover runner     median {r * 1000:8.1f} ms  (min {rmin:.1f})")
        print(f"ratio runner/psql  {r / p:.2f}  (target <= 1.2)")
        return [record(f"migrate runner/psql {len(files)} files", r, "s", p,
                       server_version(cluster.admin_url))]
    finally:
        cluster.stop()


def bench_start(rounds: int) -> list[dict[str, object]]:
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        cluster = EmbeddedCluster().start()
        with psycopg.connect(cluster.admin_url) as conn:
            conn.execute("SELECT 1")
        samples.append(time.perf_counter() - t)
        cluster.stop()
    print(f"embedded cluster: empty dir to first query median {statistics.median(samples):.2f} s "
          f"(min {min(samples):.2f}, max {max(samples):.2f}, n={rounds})")
    return [record("embedded cluster start", statistics.median(samples), "s")]


def bench_sandbox_up(rounds: int) -> list[dict[str, object]]:
    """`cutover sandbox up --at pre` (cluster, roles, 24 migrations, seed) to first query."""
    from sandbox import manage

    samples = []
    for _ in range(rounds):
        root = Path(tempfile.mkdtemp(prefix="bench-sandbox-"))
        t = time.perf_counter()
        state = manage.up(root, at="pre")
        with psycopg.connect(state.url("solvereign_migrator")) as conn:
            conn.execute("SELECT count(*) FROM core.tenants")
        samples.append(time.perf_counter() - t)
        manage.down(root)
    print(f"sandbox up --at pre: empty dir to first query median "
          f"{statistics.median(samples):.2f} s (min {min(samples):.2f}, max {max(samples):.2f}, "
          f"n={rounds})")
    return [record("sandbox up --at pre", statistics.median(samples), "s")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", metavar="FILE", help="also write the medians as JSON records")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    records = bench_migrations(args.rounds)
    records += bench_start(args.rounds)
    records += bench_sandbox_up(min(args.rounds, 3))
    write(args.json, records)


if __name__ == "__main__":
    main()

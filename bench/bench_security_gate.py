"""Benchmark: the postmigration security/ACL gate at pilot scale and at many tenants x rows.

Builds migrated sandbox databases (`latest`) at two scales on one embedded cluster: the
pilot seed, and the seed with --tenants tenants whose rows are then multiplied by
--multiplier server-side (audit entries and route stops, bench/grow.py: the seed generator's
plan search is too slow for 10x its rows per tenant). Then it
runs the gate as an operator runs it (`pytest checks -m "postmigration and (security or
acl)"` in a subprocess, reports and all) `--rounds` times each, alternating between the
scales so both see the same machine load. Prints the median wall time (and the gate
process's CPU time, which the load does not inflate) per scale, the ratio big/pilot
(target <= 1.5: the gate's cost follows objects, not rows), the pilot's seconds (target
<= 5 s), and the checks whose time grew most between the scales (each check's own duration
from the gate result), which is where a cost that follows rows shows. Not a test: it
asserts nothing.

    python bench/bench_security_gate.py [--tenants 200] [--multiplier 10] [--rounds 3]
                                        [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import grow  # noqa: E402
from bench.figures import record, server_version, write  # noqa: E402
from cutover.pg.embedded import EmbeddedCluster  # noqa: E402
from cutover.pg.url import role_url, with_database  # noqa: E402
from sandbox.bootstrap import bootstrap_roles  # noqa: E402
from sandbox.manage import provision  # noqa: E402
from sandbox.seed import SeedScale  # noqa: E402

PILOT_TARGET = 5.0  # seconds
GROWTH_TARGET = 1.5  # big / pilot


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def gate(url: str, env: dict[str, str], work: Path) -> tuple[float, dict[str, float], float]:
    """(wall seconds, seconds per check id, the gate process's CPU seconds) of one gate run;
    the run must pass. The CPU time does not grow with the machine's load as the wall does."""
    out = work / f"gate-{time.time_ns()}.json"
    cpu = _children_cpu()
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "checks", "-m",
                           "postmigration and (security or acl)", "-q", "--db-url", url,
                           "--gate-result", str(out), "-p", "no:cacheprovider"], cwd=ROOT,
                          env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t
    cpu = _children_cpu() - cpu
    if "VERDICT: PASS" not in proc.stdout:
        print(proc.stdout[-2000:])
    per_check: dict[str, float] = {}
    for c in json.loads(out.read_text())["checks"]:
        ms = c.get("evidence", {}).get("duration_ms", 0)
        per_check[c["check_id"]] = per_check.get(c["check_id"], 0.0) + ms / 1000
    return elapsed, per_check, cpu


class Scale:
    """One provisioned database and its gate runs."""

    def __init__(self, cluster: EmbeddedCluster, roles: dict[str, str], label: str,
                 scale: SeedScale | None, multiplier: int = 1) -> None:
        self.label, name = label, re.sub(r"\W", "_", label)
        t = time.perf_counter()
        provision(cluster.admin_url, name, "latest", passwords=roles, hmac_secret="b" * 48,
                  scale=scale)
        if multiplier > 1:
            with psycopg.connect(with_database(cluster.admin_url, name), autocommit=True) as c:
                grow.by_rows(c, (multiplier - 1) * grow.live_rows(c))
        built = time.perf_counter() - t
        self.url = role_url(cluster.admin_url, "solvereign_migrator",
                            roles["solvereign_migrator"], name)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
        self.env["SOLVEREIGN_API_DB_URL"] = role_url(cluster.admin_url, "solvereign_api",
                                                     roles["solvereign_api"], name)
        self.runs: list[tuple[float, dict[str, float], float]] = []
        with psycopg.connect(self.url) as conn:
            size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))"
                                ).fetchone()[0]
            rows = conn.execute("SELECT sum(n_live_tup) FROM pg_stat_user_tables").fetchone()[0]
        print(f"{label:<24} db {size:>8}, ~{rows} rows, built in {built:.0f}s", flush=True)

    def run(self, work: Path) -> None:
        self.runs.append(gate(self.url, self.env, work))

    def medians(self) -> tuple[float, dict[str, float], float]:
        """(median wall, median seconds per check, median CPU seconds of the gate process)."""
        wall = statistics.median(r[0] for r in self.runs)
        checks = {c: statistics.median(r[1].get(c, 0.0) for r in self.runs)
                  for c in self.runs[0][1]}
        cpu = statistics.median(r[2] for r in self.runs)
        print(f"{self.label:<24} gate median {wall:.2f}s of {len(self.runs)} (gate process "
              f"CPU {cpu:.2f}s), inside the checks {sum(checks.values()):.2f}s")
        return wall, checks, cpu


def _growth(small: dict[str, float], big: dict[str, float]) -> None:
    """The checks whose own time grew most between the scales."""
    grown = sorted(big, key=lambda c: big[c] - small.get(c, 0.0), reverse=True)[:8]
    for cid in grown:
        print(f"    {cid:<10} pilot {small.get(cid, 0.0):6.3f}s   big {big[cid]:6.3f}s   "
              f"+{big[cid] - small.get(cid, 0.0):.3f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--multiplier", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", metavar="FILE", help="also write the medians as JSON records")
    args = parser.parse_args()
    if args.rounds < 1 or args.tenants < 3 or args.multiplier < 1:
        parser.error("--rounds and --multiplier must be >= 1, --tenants >= 3")
    cluster = EmbeddedCluster(fast=True).start()
    try:
        roles = bootstrap_roles(cluster.admin_url)
        version = server_version(cluster.admin_url)
        big_label = f"{args.tenants} tenants x{args.multiplier} rows"
        scales = [Scale(cluster, roles, "pilot", None),
                  Scale(cluster, roles, big_label, SeedScale(tenants=args.tenants),
                        args.multiplier)]
        with tempfile.TemporaryDirectory(prefix="bench-gate-") as tmp:
            for _ in range(args.rounds):  # alternating: both scales see the same load
                for scale in scales:
                    scale.run(Path(tmp))
        (pilot, pilot_checks, pilot_cpu), (big, big_checks, big_cpu) = (
            s.medians() for s in scales)
        print(f"load {os.getloadavg()[0]:.2f}")
        print(f"pilot {pilot:.2f}s (target <= {PILOT_TARGET:g}s); {big_label} {big:.2f}s; "
              f"ratio {big / pilot:.2f} (target <= {GROWTH_TARGET})")
        print("  checks that grew most:")
        _growth(pilot_checks, big_checks)
        write(args.json, [
            record("security gate pilot", pilot, "s", PILOT_TARGET, version),
            record(f"security gate {big_label}", big, "s", pilot, version),
            record("security gate pilot, gate process CPU", pilot_cpu, "s", None, version),
            record(f"security gate {big_label}, gate process CPU", big_cpu, "s", pilot_cpu,
                   version),
        ])
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()

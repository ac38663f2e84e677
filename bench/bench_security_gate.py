"""Benchmark: the postmigration security/ACL gate against running its catalog SQL directly.

Builds migrated sandbox databases at two scales on one embedded cluster, then times
(a) the gate as an operator runs it (`pytest checks -m "postmigration and (security or
acl)"` in a subprocess, reports and all) and (b) the same check SQL files executed directly
with psycopg in this process. Prints wall times and the ratio (target: pilot under 5 s,
ratio under 2, cost growing with objects, not rows). Not a test.

    python bench/bench_security_gate.py [--tenants 200 --multiplier 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cutover.pg.embedded import EmbeddedCluster  # noqa: E402
from cutover.pg.url import role_url  # noqa: E402
from sandbox.bootstrap import bootstrap_roles  # noqa: E402
from sandbox.manage import provision  # noqa: E402
from sandbox.seed import SeedScale  # noqa: E402

CHECKS = ROOT / "checks" / "p3_postmigration"
INCLUDE = re.compile(r"/\*include:([A-Za-z0-9_]+)\*/")


def _sql(name: str) -> str:
    text = (CHECKS / name).read_text()
    return INCLUDE.sub(lambda m: "(" + _sql(m.group(1) + ".sql").strip() + ")", text)


def direct(url: str) -> float:
    """Every pmNNN_*.sql once, plus verify_final_hardening(), on one connection."""
    files = sorted(p.name for p in CHECKS.glob("pm0*.sql"))
    t = time.perf_counter()
    with psycopg.connect(url, options="-c search_path=pg_catalog,pg_temp") as conn:
        for name in files:
            conn.execute(_sql(name)).fetchall()  # type: ignore[arg-type]
        conn.execute("SELECT * FROM public.verify_final_hardening()").fetchall()
    return time.perf_counter() - t


def gate(url: str, env: dict[str, str]) -> tuple[float, float, float]:
    """(wall time, time inside the catalog checks, time inside the probe check) of one run."""
    out = Path(env.get("TMPDIR", "/tmp")) / f"bench-gate-{os.getpid()}.json"
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "checks", "-m",
                           "postmigration and (security or acl)", "-q", "--db-url", url,
                           "--gate-result", str(out), "-p", "no:cacheprovider"], cwd=ROOT,
                          env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t
    if "VERDICT: PASS" not in proc.stdout:
        print(proc.stdout[-2000:])
    checks = json.loads(out.read_text())["checks"]
    probes = sum(c["evidence"].get("duration_ms", 0) for c in checks if c["check_id"] == "PM-080")
    inside = sum(c["evidence"].get("duration_ms", 0) for c in checks) - probes
    return elapsed, inside / 1000, probes / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--multiplier", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cluster = EmbeddedCluster(fast=True).start()
    try:
        roles = bootstrap_roles(cluster.admin_url)
        secret = "b" * 48
        scales = {"pilot": None,
                  f"{args.tenants} tenants x{args.multiplier}": SeedScale(
                      tenants=args.tenants, rows_multiplier=args.multiplier)}
        for label, scale in scales.items():
            name = re.sub(r"\W", "_", label)
            t = time.perf_counter()
            provision(cluster.admin_url, name, "latest", passwords=roles, hmac_secret=secret,
                      scale=scale)
            built = time.perf_counter() - t
            url = role_url(cluster.admin_url, "solvereign_migrator",
                           roles["solvereign_migrator"], name)
            env = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
            env["SOLVEREIGN_API_DB_URL"] = role_url(cluster.admin_url, "solvereign_api",
                                                    roles["solvereign_api"], name)
            runs = [gate(url, env) for _ in range(args.rounds)]
            g = statistics.median(r[0] for r in runs)
            inside = statistics.median(r[1] for r in runs)
            probes = statistics.median(r[2] for r in runs)
            d = statistics.median(direct(url) for _ in range(args.rounds))
            with psycopg.connect(url) as conn:
                size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))"
                                    ).fetchone()[0]
            print(f"{label:<22} db {size:>8} (built in {built:.0f}s): gate wall {g:.2f}s "
                  f"(catalog checks {inside:.3f}s, active probes {probes:.2f}s); catalog SQL "
                  f"directly {d:.3f}s; ratio catalog checks/direct {inside / d:.2f}, "
                  f"wall/direct {g / d:.0f}")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()

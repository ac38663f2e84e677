"""Benchmark: `cutover backup` / `cutover rollback` against bare `pg_dump -Fc` / `pg_restore`.

Two database sizes on one embedded cluster (durable settings, as production): the pilot seed
and a bigger one (SeedScale: --tenants, --multiplier). Per round and size, alternating:

  backup   bare: pg_dump -Fc as the backup role
           ours: take_backup (settle, counters, locked snapshot, pg_dump --snapshot beside
                 the per-table checksums, pg_restore --list, sha256, manifest)
           ours+check: the same with the restore check `cutover backup` always runs (the
                 dump restored into a scratch database and compared with the manifest)
  restore  bare: CREATE DATABASE ... TEMPLATE template0 + pg_restore -d
           ours: rollback() with no-op hooks: sha256, identity, fresh database + pg_restore
                 --exit-on-error --single-transaction, full verification (fingerprint,
                 sequences, row counts and checksums), swap, re-verification

Prints medians and the ratio ours/bare (target <= 1.1). Not a test: it asserts nothing.

    python bench/bench_backup.py [--rounds 5] [--tenants 50] [--multiplier 10]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cutover.backup.dump import BackupOptions, take_backup  # noqa: E402
from cutover.pg import run  # noqa: E402
from cutover.pg.embedded import EmbeddedCluster, bin_path  # noqa: E402
from cutover.pg.url import role_url, with_database  # noqa: E402
from cutover.rollback.procedure import Hooks, rollback  # noqa: E402
from sandbox import seed  # noqa: E402
from sandbox.bootstrap import bootstrap_roles  # noqa: E402
from sandbox.manage import provision  # noqa: E402


def _admin(cluster: EmbeddedCluster, db: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(with_database(cluster.admin_url, db), autocommit=True)


def _drop_like(cluster: EmbeddedCluster, pattern: str) -> None:
    with _admin(cluster) as conn:
        for (name,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                    (pattern,)).fetchall():
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def _bare_dump(url: str, out: Path) -> None:
    conn = run.split_password(url)
    subprocess.run([str(bin_path() / "pg_dump"), "-Fc", "-f", str(out),
                    f"--dbname={conn.dsn}"], env=conn.env(), check=True, capture_output=True)


def _bare_restore(cluster: EmbeddedCluster, dump: Path, name: str) -> None:
    with _admin(cluster) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 OWNER solvereign_owner")
                     .format(sql.Identifier(name)))
    conn_parts = run.split_password(with_database(cluster.admin_url, name))
    subprocess.run([str(bin_path() / "pg_restore"), f"--dbname={conn_parts.dsn}", str(dump)],
                   env=conn_parts.env(), check=True, capture_output=True)


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _report(label: str, bare: list[float], ours: list[float],
            target: float | None = 1.1) -> None:
    b, o = statistics.median(bare), statistics.median(ours)
    goal = f"  (target <= {target})" if target else "  (about one restore: no target)"
    print(f"  {label:<8} bare median {b * 1000:8.1f} ms (min {min(bare) * 1000:.1f})"
          f"   ours median {o * 1000:8.1f} ms (min {min(ours) * 1000:.1f})"
          f"   +{(o - b) * 1000:.0f} ms   ratio {o / b:5.2f}{goal}")


def bench_size(cluster: EmbeddedCluster, passwords: dict[str, str], name: str,
               scale: seed.SeedScale, rounds: int, work: Path) -> None:
    """Provision one database at `scale`, then alternate bare and ours `rounds` times."""
    provision(cluster.admin_url, name, "pre", passwords=passwords, scale=scale,
              hmac_secret=secrets.token_urlsafe(48))
    backup_url = role_url(cluster.admin_url, "solvereign_backup",
                          passwords["solvereign_backup"], name)
    migrator_url = role_url(cluster.admin_url, "solvereign_migrator",
                            passwords["solvereign_migrator"], name)
    with _admin(cluster, name) as conn:
        rows = sum(conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.SQL(t))
                                ).fetchone()[0]
                   for (t,) in conn.execute("SELECT relid::regclass::text"
                                            " FROM pg_stat_user_tables").fetchall())
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))"
                            ).fetchone()[0]
    times: dict[str, list[float]] = {"dump": [], "backup": [], "checked": [], "restore": [],
                                     "rollback": []}
    checked = BackupOptions(restore_check_url=cluster.admin_url)
    hooks = Hooks(disable_writes=lambda: None, enable_writes=lambda: None)
    last_dump = None
    for i in range(rounds):
        bare = work / f"{name}_bare_{i}.dump"
        times["dump"].append(_timed(lambda b=bare: _bare_dump(backup_url, b)))
        out = work / f"{name}_ours_{i}"
        started = time.perf_counter()
        last_dump = take_backup(backup_url, out, BackupOptions()).dump
        times["backup"].append(time.perf_counter() - started)
        started = time.perf_counter()
        take_backup(backup_url, work / f"{name}_checked_{i}", checked)
        times["checked"].append(time.perf_counter() - started)
        target = f"{name}_bare_restore_{i}"
        times["restore"].append(_timed(lambda b=bare, t=target: _bare_restore(cluster, b, t)))
        _drop_like(cluster, target)
        times["rollback"].append(_timed(lambda d=last_dump: rollback(
            migrator_url, with_database(cluster.admin_url, name), d, hooks=hooks,
            log=lambda _line: None)))
        _drop_like(cluster, f"{name}_rolledback_%")
    dump_size = last_dump.stat().st_size if last_dump else 0
    print(f"{name}: {scale}")
    print(f"  {rows} rows, database {size}, dump {dump_size / 1024:.0f} KiB, rounds {rounds}")
    _report("backup", times["dump"], times["backup"])
    _report("+check", times["dump"], times["checked"], target=None)
    _report("restore", times["restore"], times["rollback"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--multiplier", type=int, default=10)
    args = parser.parse_args()
    cluster = EmbeddedCluster(fast=False).start()
    try:
        passwords = bootstrap_roles(cluster.admin_url)
        with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
            work = Path(tmp)
            bench_size(cluster, passwords, "pilot", seed.PILOT_SCALE, args.rounds, work)
            big = seed.SeedScale(tenants=args.tenants, rows_multiplier=args.multiplier)
            bench_size(cluster, passwords, "bigger", big, args.rounds, work)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()

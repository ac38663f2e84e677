"""Benchmark: `cutover backup` / `cutover rollback` against bare pg_dump / pg_restore.

Two databases on one embedded cluster (durable settings, as production): the pilot seed and
one grown to --size-mb (the pilot seed, then audit entries and route stops inserted
server-side with generate_series until pg_database_size reaches it; VACUUM FREEZE ANALYZE).
Per round and database, alternating:

  backup   bare -Fc: pg_dump -Fc as the backup role
           bare -Fd: pg_dump -Fd -j N
           ours:     take_backup (counters, locked exported snapshot, pg_dump --snapshot beside
                     the per-table checksums, pg_restore --list, sha256, manifest), custom
           ours -Fd: the same with --format directory --jobs N
           (+check, with --with-check: ours plus the restore check `cutover backup` runs)
  restore  bare:     CREATE DATABASE ... TEMPLATE template0 + pg_restore -d (one job)
           bare -j:  the same from the -Fd dump with pg_restore -j N
           ours:     rollback() with no-op hooks: sha256, identity, fresh database +
                     pg_restore --exit-on-error --single-transaction, full verification
                     (fingerprint, sequences, row counts and checksums), swap, re-verification
           ours -j:  the same from ours -Fd, pg_restore --jobs N

Prints medians, ours/bare ratios (target <= 1.1) and throughputs (database MB / s), with the
load average. Not a test: it asserts nothing.

    python bench/bench_backup.py [--size-mb 1024] [--rounds 3] [--jobs 2] [--with-check]
                                 [--json FILE]
"""

from __future__ import annotations

import argparse
import os
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

from bench import grow  # noqa: E402
from bench.figures import record, server_version, write  # noqa: E402
from cutover.backup.dump import BackupOptions, take_backup  # noqa: E402
from cutover.pg import run  # noqa: E402
from cutover.pg.embedded import EmbeddedCluster, bin_path  # noqa: E402
from cutover.pg.url import role_url, with_database  # noqa: E402
from cutover.rollback.procedure import Hooks, rollback  # noqa: E402
from sandbox import seed  # noqa: E402
from sandbox.bootstrap import bootstrap_roles  # noqa: E402
from sandbox.manage import provision  # noqa: E402

TARGET = 1.1
MB = grow.MB


def _admin(cluster: EmbeddedCluster, db: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(with_database(cluster.admin_url, db), autocommit=True)


def _drop_like(cluster: EmbeddedCluster, pattern: str) -> None:
    with _admin(cluster) as conn:
        for (name,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                    (pattern,)).fetchall():
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def _bare_dump(url: str, out: Path, extra: list[str]) -> None:
    conn = run.split_password(url)
    subprocess.run([str(bin_path() / "pg_dump"), *extra, "-f", str(out),
                    f"--dbname={conn.dsn}"], env=conn.env(), check=True, capture_output=True)


def _bare_restore(cluster: EmbeddedCluster, dump: Path, name: str, extra: list[str]) -> None:
    with _admin(cluster) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 OWNER solvereign_owner")
                     .format(sql.Identifier(name)))
    parts = run.split_password(with_database(cluster.admin_url, name))
    subprocess.run([str(bin_path() / "pg_restore"), *extra, f"--dbname={parts.dsn}",
                    str(dump)], env=parts.env(), check=True, capture_output=True)


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _line(label: str, bare: list[float], ours: list[float], target: float | None) -> None:
    b, o = statistics.median(bare), statistics.median(ours)
    goal = f"  (target <= {target})" if target else ""
    print(f"  {label:<22} bare {b:8.2f} s (min {min(bare):.2f})   ours {o:8.2f} s "
          f"(min {min(ours):.2f})   +{o - b:6.2f} s   ratio {o / b:5.2f}{goal}")


class SizeBench:
    """One database: its URLs, size, and every operation's times."""

    def __init__(self, cluster: EmbeddedCluster, passwords: dict[str, str], name: str,
                 label: str, jobs: int, work: Path) -> None:
        self.cluster, self.name, self.label, self.jobs, self.work = (cluster, name, label, jobs,
                                                                      work)
        self.backup_url = role_url(cluster.admin_url, "solvereign_backup",
                                   passwords["solvereign_backup"], name)
        self.migrator_url = role_url(cluster.admin_url, "solvereign_migrator",
                                     passwords["solvereign_migrator"], name)
        self.times: dict[str, list[float]] = {}
        self.steps: dict[str, list[float]] = {}  # the library's own step timings
        self.size_bytes = 0

    def _add(self, key: str, seconds: float) -> None:
        self.times.setdefault(key, []).append(seconds)

    def _rollback(self, dump: Path, jobs: int | None) -> None:
        result = rollback(self.migrator_url, with_database(self.cluster.admin_url, self.name), dump,
                 hooks=Hooks(disable_writes=lambda: None, enable_writes=lambda: None),
                 log=lambda _line: None, jobs=jobs)
        for step, seconds in result.timings.items():
            self.steps.setdefault(f"rollback -j{jobs} {step}", []).append(seconds)

    def round(self, i: int, with_check: bool) -> None:
        """One round of every operation, bare and ours alternating."""
        jflag = [f"--jobs={self.jobs}"]
        fc, fd = self.work / f"{self.name}_{i}.dump", self.work / f"{self.name}_{i}.dir"
        self._add("dump -Fc", _timed(lambda: _bare_dump(self.backup_url, fc, ["-Fc"])))
        ours_c = self._backup(f"ours_c_{i}", BackupOptions(), "backup")
        self._add("dump -Fd", _timed(lambda: _bare_dump(self.backup_url, fd, ["-Fd", *jflag])))
        ours_d = self._backup(f"ours_d_{i}", BackupOptions(dump_format="directory",
                                                          jobs=self.jobs), "backup -Fd")
        if with_check:
            self._backup(f"checked_{i}", BackupOptions(
                restore_check_url=self.cluster.admin_url), "backup+check")
        for key, dump, extra in (("restore", fc, []), ("restore -j", fd, jflag)):
            target = f"{self.name}_bare_{i}"
            self._add(key, _timed(lambda d=dump, e=extra, t=target: _bare_restore(
                self.cluster, d, t, e)))
            _drop_like(self.cluster, target)
        for key, dump, jobs in (("rollback", ours_c, 1), ("rollback -j", ours_d, self.jobs)):
            self._add(key, _timed(lambda d=dump, j=jobs: self._rollback(d, j)))
            _drop_like(self.cluster, f"{self.name}_rolledback_%")  # untimed, as the bare drop
        for path in (fc, fd):
            subprocess.run(["rm", "-rf", str(path)], check=True)

    def _backup(self, folder: str, options: BackupOptions, key: str) -> Path:
        started = time.perf_counter()
        result = take_backup(self.backup_url, self.work / folder, options)
        self._add(key, time.perf_counter() - started)
        for step, seconds in result.timings.items():
            self.steps.setdefault(f"{key} {step}", []).append(seconds)
        return result.dump

    def report(self) -> list[dict[str, object]]:
        """Print the medians and return the records."""
        t = {k: statistics.median(v) for k, v in self.times.items()}
        mb = self.size_bytes / MB
        j = self.jobs
        print(f"{self.label}: database {mb:.0f} MB, {len(self.times['dump -Fc'])} rounds, "
              f"load {os.getloadavg()[0]:.2f}")
        _line("backup -Fc", self.times["dump -Fc"], self.times["backup"], TARGET)
        _line(f"backup -Fd -j {j}", self.times["dump -Fd"], self.times["backup -Fd"], TARGET)
        if "backup+check" in t:
            _line("backup+check (-Fc)", self.times["dump -Fc"], self.times["backup+check"], None)
        _line("restore", self.times["restore"], self.times["rollback"], TARGET)
        _line(f"restore -j {j}", self.times["restore -j"], self.times["rollback -j"], TARGET)
        print("  steps (medians): " + ", ".join(
            f"{k} {statistics.median(v):.2f}" for k, v in self.steps.items()))
        for key in ("dump -Fc", "dump -Fd", "restore", "restore -j", "backup", "backup -Fd",
                    "rollback", "rollback -j"):
            print(f"  throughput {key:<12} {mb / t[key]:7.1f} MB/s")
        v, s = server_version(self.cluster.admin_url), self.label
        out = [record(f"backup ours/bare {s}", t["backup"], "s", t["dump -Fc"], v),
               record(f"backup -Fd -j{j} ours/bare {s}", t["backup -Fd"], "s", t["dump -Fd"], v),
               record(f"restore ours/bare {s}", t["rollback"], "s", t["restore"], v),
               record(f"restore -j{j} ours/bare {s}", t["rollback -j"], "s", t["restore -j"], v),
               record(f"backup -Fd -j{j}/-Fc ours {s}", t["backup -Fd"], "s", t["backup"], v),
               record(f"restore -j{j}/1 ours {s}", t["rollback -j"], "s", t["rollback"], v),
               record(f"backup throughput ours {s}", mb / t["backup"], "MB/s", None, v),
               record(f"restore throughput ours {s}", mb / t["rollback"], "MB/s", None, v),
               record(f"restore -j{j} throughput ours {s}", mb / t["rollback -j"], "MB/s",
                      None, v)]
        if "backup+check" in t:
            out.append(record(f"backup+check/bare {s}", t["backup+check"], "s",
                              t["dump -Fc"], v))
        return out


def bench_size(cluster: EmbeddedCluster, passwords: dict[str, str], label: str,
               size_mb: int | None, args: argparse.Namespace, work: Path
               ) -> list[dict[str, object]]:
    """Provision (and grow) one database, then run `args.rounds` rounds."""
    name = "bench_" + label.lower()
    started = time.perf_counter()
    provision(cluster.admin_url, name, "pre", passwords=passwords, scale=seed.PILOT_SCALE,
              hmac_secret=secrets.token_urlsafe(48))
    if size_mb:
        with _admin(cluster, name) as conn:
            grow.to_size(conn, size_mb)
    bench = SizeBench(cluster, passwords, name, label, args.jobs, work)
    with _admin(cluster, name) as conn:
        bench.size_bytes = conn.execute("SELECT pg_database_size(current_database())"
                                        ).fetchone()[0]
    print(f"{label}: built {bench.size_bytes / MB:.0f} MB in "
          f"{time.perf_counter() - started:.0f} s")
    for i in range(args.rounds):
        bench.round(i, args.with_check)
    return bench.report()


def _label(size_mb: int) -> str:
    return f"{size_mb / 1024:g}GB" if size_mb >= 1024 else f"{size_mb}MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size-mb", type=int, default=1024,
                        help="the grown database's size (0: the pilot only)")
    parser.add_argument("--jobs", type=int, default=2, help="-Fd / pg_restore -j workers")
    parser.add_argument("--with-check", action="store_true",
                        help="also time the backup with its restore check")
    parser.add_argument("--json", metavar="FILE", help="also write the medians as JSON records")
    args = parser.parse_args()
    if args.rounds < 1 or args.jobs < 1 or args.size_mb < 0:
        parser.error("--rounds and --jobs must be >= 1, --size-mb >= 0")
    cluster = EmbeddedCluster(fast=False).start()
    records: list[dict[str, object]] = []
    try:
        passwords = bootstrap_roles(cluster.admin_url)
        with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
            records += bench_size(cluster, passwords, "pilot", None, args, Path(tmp))
            if args.size_mb:
                records += bench_size(cluster, passwords, _label(args.size_mb), args.size_mb,
                                      args, Path(tmp))
    finally:
        cluster.stop()
    write(args.json, records)


if __name__ == "__main__":
    main()

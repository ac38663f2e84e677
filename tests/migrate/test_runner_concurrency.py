"""Locks: a second runner, a killed runner, and a lock queue behind another session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from cutover.errors import MigrationError
from cutover.migrate.runner import ADVISORY_LOCK_KEY, RunnerOptions, migrate
from tests.migrate.helpers import ledger_rows, tables, write


def test_second_runner_waits_then_fails_clearly(empty_db, tmp_path):
    d = write(tmp_path / "m", {"001_a.sql": "CREATE TABLE public.a (id int);"})
    with psycopg.connect(empty_db, autocommit=True, application_name="other-runner") as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
        started = time.monotonic()
        with pytest.raises(MigrationError, match=r"another migration runner holds the lock "
                                                 r"\(pid \d+, .*'other-runner'"):
            migrate(empty_db, d, RunnerOptions(lock_wait_seconds=1.0))
        assert 0.9 <= time.monotonic() - started < 10
    assert "public.a" not in tables(empty_db)


def test_second_runner_proceeds_when_the_first_finishes(empty_db, tmp_path):
    d = write(tmp_path / "m", {"001_a.sql": "CREATE TABLE public.a (id int);"})
    holder = psycopg.connect(empty_db, autocommit=True)
    holder.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
    timer = threading.Timer(0.5, holder.close)
    timer.start()
    try:
        migrate(empty_db, d, RunnerOptions(lock_wait_seconds=10))
    finally:
        timer.cancel()
        holder.close()
    assert ledger_rows(empty_db) == [("001", True)]


def test_sigkill_mid_file_leaves_nothing_and_rerun_completes(empty_db, tmp_path):
    d = write(tmp_path / "m", {
        "001_a.sql": "CREATE TABLE public.a (id int);",
        "002_slow.sql": "CREATE TABLE public.slow (id int);\nSELECT pg_sleep(2);\n",
    })
    env = dict(os.environ, SOLVEREIGN_DB_URL=empty_db)
    proc = subprocess.Popen([sys.executable, "-m", "cutover.cli", "migrate", "--dir", str(d)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with psycopg.connect(empty_db, autocommit=True) as watcher:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            row = watcher.execute("SELECT count(*) FROM pg_stat_activity"
                                  " WHERE query LIKE 'SELECT pg_sleep(2)%'").fetchone()
            if row[0]:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the runner never reached the slow statement")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        # The server notices the dead client and rolls back; wait for its backend to go.
        deadline = time.monotonic() + 30
        while watcher.execute("SELECT count(*) FROM pg_stat_activity"
                              " WHERE application_name = 'cutover-migrate'").fetchone()[0]:
            assert time.monotonic() < deadline, "the killed runner's session never ended"
            time.sleep(0.1)
    assert "public.slow" not in tables(empty_db)
    assert ledger_rows(empty_db) == [("001", True)]
    migrate(empty_db, d, RunnerOptions(lock_wait_seconds=5))  # no stale lock
    assert ledger_rows(empty_db) == [("001", True), ("002", True)]


def test_lock_timeout_is_retried_then_fails_naming_the_file(empty_db, tmp_path):
    d = write(tmp_path / "m", {
        "001_t.sql": "CREATE TABLE public.t (id int);",
        "002_alter.sql": "ALTER TABLE public.t ADD COLUMN x int;",
    })
    migrate(empty_db, d, RunnerOptions(target="001"))
    opts = RunnerOptions(lock_timeout="100ms", lock_retries=2, retry_backoff_seconds=0.05)
    with psycopg.connect(empty_db) as blocker:
        blocker.execute("LOCK TABLE public.t IN ACCESS SHARE MODE")  # held until rollback
        with pytest.raises(MigrationError, match=r"002_alter\.sql:1: .*lock.*still blocked "
                                                 r"after 3 attempts"):
            migrate(empty_db, d, opts)
        blocker.rollback()
    migrate(empty_db, d, opts)
    assert ledger_rows(empty_db)[-1] == ("002", True)


def test_lock_timeout_retry_succeeds_when_the_blocker_goes(empty_db, tmp_path):
    d = write(tmp_path / "m", {
        "001_t.sql": "CREATE TABLE public.t (id int);",
        "002_alter.sql": "ALTER TABLE public.t ADD COLUMN x int;",
    })
    migrate(empty_db, d, RunnerOptions(target="001"))
    blocker = psycopg.connect(empty_db)
    blocker.execute("LOCK TABLE public.t IN ACCESS SHARE MODE")
    timer = threading.Timer(0.3, blocker.rollback)
    timer.start()
    lines: list[str] = []
    try:
        migrate(empty_db, d, RunnerOptions(lock_timeout="100ms", lock_retries=5,
                                           retry_backoff_seconds=0.2), log=lines.append)
    finally:
        timer.join()
        blocker.close()
    assert any("retrying" in line for line in lines)
    assert ledger_rows(empty_db)[-1] == ("002", True)

"""Faults injected into backups and rollbacks, and what each leaves behind (issue 20)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from psycopg import sql

from cutover.backup.manifest import load as load_manifest
from cutover.rollback import restore
from tests.backup.conftest import REPO, cli, query, writes_disabled
from tests.backup.test_rollback import _children, _pad, cut_over, take_backup


def _start(db, *args: str) -> subprocess.Popen:
    env = db.env(SOLVEREIGN_LKG_FILE=str(db.workdir / "lkg.json"))
    return subprocess.Popen([sys.executable, "-m", "cutover.cli", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for_child(proc: subprocess.Popen, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not _children(proc.pid, name):
        assert proc.poll() is None, f"exited before {name} started: {proc.communicate()[0]}"
        assert time.monotonic() < deadline, f"{name} never started"
        time.sleep(0.005)


def test_a_second_rollback_is_refused_naming_the_first(pre_db):
    """Two at once: the second is refused at once, naming the holder, and changes nothing;
    the first completes (it used to have its pg_restore killed by the second)."""
    _pad(pre_db, 200_000)
    dump = take_backup(pre_db)
    cut_over(pre_db)
    first = _start(pre_db, "rollback", "--backup", str(dump))
    _wait_for_child(first, "pg_restore")
    second = cli(pre_db, "rollback", "--backup", str(dump))
    assert second.returncode == 1, second.stdout + second.stderr
    assert f"another rollback of '{pre_db.dbname}' is running" in second.stderr
    assert f"cutover rollback pid {first.pid}@" in second.stderr
    assert second.stderr.count("\n") == 1
    out = first.communicate(timeout=300)[0]
    assert first.returncode == 0, out
    assert not writes_disabled(pre_db)


def test_work_databases_of_interrupted_runs_are_named_and_dropped(pre_db):
    """A killed rollback of another backup left `<db>_restore_<other sha>`: the next run
    names it and drops it (only ours: a foreign one with a similar name stays)."""
    dump = take_backup(pre_db)
    leftover = restore.work_name(pre_db.dbname, "f" * 64)
    foreign = restore.work_name(pre_db.dbname, "e" * 64)
    with psycopg.connect(pre_db.admin_url, autocommit=True) as conn:
        for name in (leftover, foreign):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(leftover), sql.Literal(f"{restore.MARKER} for old.dump; safe to drop")))
    try:
        proc = cli(pre_db, "rollback", "--backup", str(dump))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert f"dropping {leftover} left by an interrupted rollback" in proc.stdout
        names = {r[0] for r in query(pre_db.admin_url, "SELECT datname FROM pg_database")}
        assert leftover not in names and foreign in names
    finally:
        query(pre_db.admin_url, f'DROP DATABASE IF EXISTS "{foreign}"')


def test_a_rerun_after_a_kill_past_the_swap_does_not_swap_again(pre_db):
    """Killed after the swap (here: by its redeploy hook): the re-run recognises the live
    database as this backup's restore and finishes without a second swap."""
    dump = take_backup(pre_db)
    cut_over(pre_db)
    killer = "sh -c 'kill -9 $PPID'"
    first = cli(pre_db, "rollback", "--backup", str(dump), SOLVEREIGN_REDEPLOY_COMMAND=killer)
    assert first.returncode == -signal.SIGKILL, first.stdout + first.stderr
    assert "[6/10] swap in" in first.stdout and "[8/10] redeploy" in first.stdout
    assert writes_disabled(pre_db)
    again = cli(pre_db, "rollback", "--backup", str(dump))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already is the restore of this backup" in again.stdout
    kept = query(pre_db.admin_url, "SELECT datname FROM pg_database WHERE datname LIKE %s",
                 (f"{pre_db.dbname}_rolledback_%",))
    assert len(kept) == 1, kept  # one swap, not two
    assert "rows and checksums" in again.stdout  # the live database verified in full
    assert not writes_disabled(pre_db)


def test_a_killed_backup_leaves_a_partial_the_next_run_removes(pre_db):
    _pad(pre_db, 300_000)
    out = pre_db.workdir / "backups"
    first = _start(pre_db, "backup", "--out", str(out), "--settle", "0")
    _wait_for_child(first, "pg_dump")
    deadline = time.monotonic() + 30
    while not list(out.glob(".*.dump.partial")) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(first.pid, signal.SIGKILL)
    first.communicate()
    (partial,) = out.glob(".*.dump.partial")
    deadline = time.monotonic() + 10  # pg_dump dies with its parent (PR_SET_PDEATHSIG)
    while _children(first.pid, "pg_dump") and time.monotonic() < deadline:
        time.sleep(0.05)
    again = cli(pre_db, "backup", "--out", str(out), "--settle", "0")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"removed {partial}" in again.stdout
    assert not list(out.glob(".*.partial"))
    assert len(list(out.glob("*.dump"))) == 1 and load_manifest(next(out.glob("*.dump")))


def test_a_dump_that_does_not_restore_is_not_success(pre_db):
    """The restore check restores the dump into a scratch database: an archive that
    pg_restore --list reads but that cannot be restored (here a view whose function a
    restore cannot resolve) is refused, and nothing is left under a final name."""
    with psycopg.connect(pre_db.url("postgres"), autocommit=True) as conn:
        # a CHECK calling a function whose body relies on a search_path that a restore
        # (search_path '') does not have: the COPY of the data fails
        conn.execute("SET search_path = core, public")
        conn.execute("CREATE FUNCTION public.cnt() RETURNS bigint LANGUAGE sql"
                     " AS 'SELECT count(*) FROM tenants'")
        conn.execute("CREATE TABLE core.broken_check (n bigint CHECK (n <= public.cnt()))")
        conn.execute("INSERT INTO core.broken_check VALUES (1)")
    out = pre_db.workdir / "backups"
    proc = cli(pre_db, "backup", "--out", str(out), "--settle", "0")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "the dump does not restore" in proc.stderr, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "BACKUP STATUS: FAILED"
    assert not list(out.glob("*")), list(out.glob("*"))
    assert query(pre_db.admin_url, "SELECT count(*) FROM pg_database WHERE datname LIKE %s",
                 (f"{pre_db.dbname}{restore.CHECK_INFIX}%",)) == [(0,)]


def test_the_backup_refuses_without_a_way_to_prove_the_restore(pre_db):
    proc = cli(pre_db, "backup", SOLVEREIGN_ADMIN_DB_URL="")
    assert proc.returncode == 2 and "SOLVEREIGN_ADMIN_DB_URL is not set" in proc.stderr
    assert proc.stderr.count("\n") == 1




def _descendants(pid: int) -> set[int]:
    """Every live process below `pid`."""
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z":
            kids.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = set(), [pid]
    while todo:
        for child in kids.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def _is_pytest(pid: int) -> bool:
    try:
        return b"pytest" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def test_the_gates_pytest_ends_with_a_killed_caller(pre_db):
    """run_phase (prod_cutover.sh's gates, the rollback's post-rollback gate) starts pytest
    so that it dies with its caller, SIGKILL included: a killed prod_cutover.sh used to
    leave its gate running (its output goes to the terminal, so no broken pipe stops it)."""
    result = pre_db.workdir / "gate" / "postrollback_result.json"
    code = ("import sys; from pathlib import Path; from cutover.gate.run import run_phase; "
            "run_phase('postrollback', ['checks'], Path(sys.argv[1]), db_url=sys.argv[2])")
    with (pre_db.workdir / "caller.log").open("w") as log:
        proc = subprocess.Popen([sys.executable, "-c", code, str(result), pre_db.url()],
                                cwd=REPO, env=pre_db.env(), stdout=log, stderr=log)
    deadline, gate = time.monotonic() + 120, set()
    while not gate:
        assert proc.poll() is None, (pre_db.workdir / "caller.log").read_text()
        assert time.monotonic() < deadline, "the gate never started"
        gate = {p for p in _descendants(proc.pid) if _is_pytest(p)}
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 120
    while any(Path(f"/proc/{p}").exists() and _is_pytest(p) for p in gate):
        assert time.monotonic() < deadline, f"the gate's pytest {gate} outlived its caller"
        time.sleep(0.05)
    # killed, not finished: a pytest that outlived its caller would have written its verdict
    assert not result.exists()


def test_a_verifying_role_subject_to_rls_is_refused_before_the_flag(pre_db):
    """The restore is compared as a role that reads every row (the BYPASSRLS backup role),
    not by turning row_security off as a superuser: a role RLS filters is refused up front,
    naming the variable, with writes untouched."""
    dump = take_backup(pre_db)
    proc = cli(pre_db, "rollback", "--backup", str(dump),
               "--verify-url", pre_db.url("solvereign_migrator"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "verifying role solvereign_migrator" in proc.stderr
    assert "SOLVEREIGN_BACKUP_DB_URL" in proc.stderr and "writes were not touched" in proc.stderr
    assert not writes_disabled(pre_db)

"""`cutover rollback`: identity-checked, interruptible, and proven equal to the backup."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from cutover.backup import facts
from cutover.backup.manifest import load as load_manifest
from cutover.migrate import ledger
from cutover.migrate.files import default_directory
from cutover.migrate.runner import RunnerOptions, migrate
from cutover.rollback import restore
from cutover.rollback.verify import verify_database
from tests.backup.conftest import REPO, assert_no_secrets, cli, query, writes_disabled
from tests.platform import PlatformDB

ROLLBACK_SHA = "0123456789abcdef0123456789abcdef01234567"


def take_backup(db: PlatformDB) -> Path:
    """`cutover backup` into the workdir; returns the dump."""
    proc = cli(db, "backup", "--out", str(db.workdir / "backups"))
    assert proc.returncode == 0, proc.stderr
    return sorted((db.workdir / "backups").glob("*.dump"))[-1]


def cut_over(db: PlatformDB) -> None:
    """The cutover as far as the database sees it: pending migrations (025* once they
    exist), plus DDL and DML of the kinds 025* brings, so the rollback has work either way."""
    migrate(db.url("solvereign_migrator"), default_directory(), RunnerOptions())
    with psycopg.connect(db.url("solvereign_migrator"), autocommit=True) as conn:
        ledger.record(conn, version="999", name="999_simulated_post_cutover",
                      sha256="0" * 64, duration_ms=1, success=True, transactional=True)
        conn.execute("SET ROLE solvereign_owner")
        conn.execute("CREATE TABLE core.cutover_probe (id bigserial PRIMARY KEY, note text)")
        conn.execute("ALTER TABLE core.tenants ENABLE ROW LEVEL SECURITY")
        conn.execute("CREATE POLICY post_cutover ON core.tenants USING (is_active)")
        conn.execute("REVOKE SELECT ON core.sites FROM PUBLIC")
        conn.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA routing REVOKE SELECT ON TABLES"
                     " FROM PUBLIC")
        conn.execute("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO solvereign_platform")
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        # (the definer role has no CREATE on core, so 025d-style handovers need a superuser)
        conn.execute("ALTER FUNCTION core.resolve_api_key(text) OWNER TO solvereign_definer")
        conn.execute("INSERT INTO core.cutover_probe (note) VALUES ('written after cutover')")
        conn.execute("INSERT INTO core.security_events (event_type, severity, details)"
                     " VALUES ('POST_CUTOVER', 'INFO', '{}')")
        conn.execute("UPDATE roster.drivers SET display_name = display_name || ' (moved)'"
                     " WHERE id IN (SELECT id FROM roster.drivers ORDER BY id LIMIT 3)")
        conn.execute("DELETE FROM roster.absences WHERE id = (SELECT min(id) FROM"
                     " roster.absences)")


def assert_back_to_backup(db: PlatformDB, dump: Path) -> None:
    """Every check of the rollback, re-done independently of its own output."""
    manifest = load_manifest(dump)
    checks = verify_database(db.url("postgres"), manifest, content=True)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert {c.name for c in checks} >= {"ledger head", "ownership and ACLs", "sequences",
                                        "tables", "rows and checksums"}
    assert query(db.url("postgres"), "SELECT to_regclass('core.cutover_probe')") == [(None,)]
    owner = query(db.url("postgres"), "SELECT proowner::regrole::text FROM pg_proc"
                  " WHERE oid = 'core.resolve_api_key(text)'::regprocedure")
    assert owner == [("solvereign_owner",)]
    with psycopg.connect(db.url("postgres")) as conn:
        facts.prepare_session(conn)
        assert facts.ledger_head(conn) == manifest.ledger_head
        assert facts.sequences_behind(conn) == []
    # the application roles can connect again (database grants restored)
    query(db.url("solvereign_api"), "SELECT 1")


def test_full_cycle_backup_cutover_rollback(pre_db):
    dump = take_backup(pre_db)
    cut_over(pre_db)
    before = {c.name: c.ok for c in verify_database(pre_db.url("postgres"),
                                                    load_manifest(dump), content=True)}
    assert before == {"ledger head": False, "ownership and ACLs": False, "sequences": True,
                      "tables": False, "rows and checksums": False}, "the checks have teeth"

    lkg_file = pre_db.workdir / "lkg.json"
    lkg_file.write_text(json.dumps({
        "rollback_sha": ROLLBACK_SHA, "rc_tag": "rc-2026.11.1",
        "timestamp": "2026-11-28T02:00:00+00:00", "ledger_head": "024_table_classification",
        "backup": {"path": str(dump), "sha256": "a" * 64},
        "evidence_bundle": {"path": "artifacts/prod_cutover_x", "summary_sha256": "b" * 64}}))
    marker = pre_db.workdir / "redeployed.txt"
    command = (f"{sys.executable} -c 'import sys, pathlib; "
               f"pathlib.Path(sys.argv[1]).write_text(sys.argv[2])' {marker} {{rollback_sha}}")
    artifacts = pre_db.workdir / "rollback-artifacts"
    proc = cli(pre_db, "rollback", "--backup", str(dump), "--artifacts-dir", str(artifacts),
               SOLVEREIGN_REDEPLOY_COMMAND=command)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "post-rollback gate: PASS" in proc.stdout
    gate = json.loads((artifacts / "postrollback_result.json").read_text())
    assert gate["verdict"] == "PASS" and {c["check_id"]: c["status"] for c in gate["checks"]
                                          }["PR-001"] == "PASS"
    out = proc.stdout
    assert out.strip().splitlines()[-1] == "ROLLBACK STATUS: SUCCESS"
    assert f"rollback_sha {ROLLBACK_SHA}" in out
    for n, step in enumerate(["dump checksum", "database identity", "disable writes",
                              "restore", "verify restored database", "swap in",
                              "verify live database", "redeploy", "post-rollback gate",
                              "enable writes"], start=1):
        assert f"[{n}/10] {step}" in out
    assert marker.read_text() == ROLLBACK_SHA
    assert not writes_disabled(pre_db)
    assert_back_to_backup(pre_db, dump)

    kept = query(pre_db.admin_url, "SELECT datname FROM pg_database WHERE datname LIKE %s",
                 (f"{pre_db.dbname}_rolledback_%",))
    assert len(kept) == 1 and kept[0][0] in out
    from cutover.pg.url import with_database

    assert query(with_database(pre_db.admin_url, kept[0][0]),
                 "SELECT note FROM core.cutover_probe") == [("written after cutover",)]
    assert_no_secrets(pre_db, proc.stdout, proc.stderr,
                      folders=(pre_db.workdir / "backups",))


def test_restore_into_the_wrong_database_is_refused_naming_both(make_platform):
    from tests.backup.conftest import drop_leftovers

    source, other = make_platform("pre"), make_platform("pre")
    try:
        dump = take_backup(source)
        proc = cli(other, "rollback", "--backup", str(dump))
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert proc.stdout.strip().splitlines()[-1] == "ROLLBACK STATUS: FAILED"
        err = proc.stderr
        assert "database identity" in err and "refusing to restore" in err
        assert f"'{source.dbname}'" in err and f"'{other.dbname}'" in err
        # validated before the flag: a refused rollback leaves writes as they were
        assert "writes were not touched" in err
        assert not writes_disabled(other)
        assert query(other.admin_url, "SELECT count(*) FROM pg_database WHERE datname LIKE %s",
                     (f"{other.dbname}_restore_%",)) == [(0,)], "nothing was restored"
        assert_no_secrets(other, proc.stdout, proc.stderr)
    finally:
        drop_leftovers(source)
        drop_leftovers(other)


def test_a_tampered_dump_is_refused_before_any_restore(pre_db):
    dump = take_backup(pre_db)
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    proc = cli(pre_db, "rollback", "--backup", str(dump))
    assert proc.returncode == 1
    assert "dump checksum" in proc.stderr and "the manifest says" in proc.stderr
    assert "writes were not touched" in proc.stderr
    assert not writes_disabled(pre_db), "refused before the flag: writes unchanged"


def test_a_foreign_database_with_the_work_name_is_never_dropped(pre_db):
    dump = take_backup(pre_db)
    work = restore.work_name(pre_db.dbname, load_manifest(dump).sha256)
    query(pre_db.admin_url, f'CREATE DATABASE "{work}"')
    proc = cli(pre_db, "rollback", "--backup", str(dump))
    assert proc.returncode == 1
    assert "is not a cutover work database" in proc.stderr
    assert query(pre_db.admin_url, "SELECT 1 FROM pg_database WHERE datname = %s",
                 (work,)) == [(1,)]


def test_bad_redeploy_template_is_bad_input_before_anything_changes(pre_db):
    dump = take_backup(pre_db)
    proc = cli(pre_db, "rollback", "--backup", str(dump),
               SOLVEREIGN_REDEPLOY_COMMAND="deploy {nonsense}")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "{nonsense}" in proc.stderr
    assert not writes_disabled(pre_db), "bad input must change nothing"


def test_missing_admin_url_is_bad_input(pre_db):
    dump = take_backup(pre_db)
    proc = cli(pre_db, "rollback", "--backup", str(dump), SOLVEREIGN_ADMIN_DB_URL="")
    assert proc.returncode == 2
    assert "SOLVEREIGN_ADMIN_DB_URL is not set" in proc.stderr


def _children(pid: int, name: str) -> list[int]:
    """Live processes called `name` whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if comm == name and int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _restore_pass(pid: int) -> list[int]:
    """The child pg_restore that fills the work database (its `--list` run is not one)."""
    found = []
    for child in _children(pid, "pg_restore"):
        try:
            argv = (Path("/proc") / str(child) / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--exit-on-error" in argv:
            found.append(child)
    return found


def _pad(db: PlatformDB, rows: int) -> None:
    """A bulky table so pg_restore runs long enough to be interrupted."""
    with psycopg.connect(db.url("solvereign_migrator"), autocommit=True) as conn:
        conn.execute("SET ROLE solvereign_owner")
        conn.execute("CREATE TABLE core.padding (id bigint PRIMARY KEY, payload text NOT NULL)")
        conn.execute("INSERT INTO core.padding SELECT g, repeat(md5(g::text), 4)"
                     " FROM generate_series(1, %s) g", (rows,))
        conn.execute("CREATE INDEX ON core.padding (payload)")


def test_rollback_killed_mid_restore_completes_when_run_again(pre_db):
    _pad(pre_db, 300_000)
    dump = take_backup(pre_db)
    cut_over(pre_db)
    env = pre_db.env(SOLVEREIGN_LKG_FILE=str(pre_db.workdir / "lkg.json"))
    proc = subprocess.Popen([sys.executable, "-m", "cutover.cli", "rollback", "--backup",
                             str(dump)], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline, restoring = time.monotonic() + 60, []
    while not restoring and proc.poll() is None and time.monotonic() < deadline:
        restoring = _restore_pass(proc.pid)
        time.sleep(0.005)
    assert restoring, "pg_restore never started: " + (proc.communicate()[0] or "")
    # killed the moment the restore pass is seen (not `pg_restore --list`, which ends at
    # once: a fixed sleep after it raced the pass on a busy machine)
    os.kill(proc.pid, signal.SIGKILL)
    first = proc.communicate()[0]
    assert proc.returncode == -signal.SIGKILL
    assert "[4/10] restore" in first and "[6/10]" not in first

    # the live database is untouched, and writes are still off
    assert query(pre_db.url("postgres"), "SELECT count(*) FROM core.cutover_probe") == [(1,)]
    assert writes_disabled(pre_db)
    deadline = time.monotonic() + 10  # pg_restore dies with its parent (PR_SET_PDEATHSIG)
    while _children(proc.pid, "pg_restore") and time.monotonic() < deadline:
        time.sleep(0.05)

    again = cli(pre_db, "rollback", "--backup", str(dump))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "left by an interrupted rollback" in again.stdout
    assert_back_to_backup(pre_db, dump)
    assert query(pre_db.url("postgres"), "SELECT count(*) FROM core.padding") == [(300_000,)]
    assert not writes_disabled(pre_db)


@pytest.mark.parametrize(("value", "expected"), [
    ('"$user", public', ["$user", "public"]),
    ("core", ["core"]),
    ('"a""b", c', ['a"b', "c"]),
])
def test_list_settings_are_split_like_postgres(value, expected):
    assert restore.split_guc_list(value) == expected


def test_database_settings_and_grants_survive_the_rollback(pre_db):
    query(pre_db.admin_url, f'ALTER DATABASE "{pre_db.dbname}" SET search_path = core, public')
    query(pre_db.admin_url,
          f'ALTER ROLE solvereign_api IN DATABASE "{pre_db.dbname}" SET statement_timeout = 5000')
    query(pre_db.admin_url, f'REVOKE TEMPORARY ON DATABASE "{pre_db.dbname}" FROM PUBLIC')
    dump = take_backup(pre_db)
    query(pre_db.admin_url, f'ALTER DATABASE "{pre_db.dbname}" RESET search_path')
    proc = cli(pre_db, "rollback", "--backup", str(dump))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    settings = query(pre_db.admin_url, "SELECT coalesce(r.rolname, ''), s.setconfig"
                     " FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase"
                     " LEFT JOIN pg_roles r ON r.oid = s.setrole WHERE d.datname = %s"
                     " ORDER BY 1", (pre_db.dbname,))
    assert settings == [("", ["search_path=core, public"]),
                        ("solvereign_api", ["statement_timeout=5000"])]
    acl = query(pre_db.admin_url, "SELECT datacl::text FROM pg_database WHERE datname = %s",
                (pre_db.dbname,))[0][0]
    assert "=c/" in acl and "=Tc/" not in acl


def test_tables_of_every_kind_of_type_round_trip(pre_db):
    """An enum (hashed by OID, which a restore changes), json (no hash function) and a
    domain force the text checksum; the rollback still proves them equal."""
    with psycopg.connect(pre_db.url("solvereign_migrator"), autocommit=True) as conn:
        conn.execute("SET ROLE solvereign_owner")
        conn.execute("CREATE TYPE core.mood AS ENUM ('calm', 'busy')")
        conn.execute("CREATE DOMAIN core.percent AS int CHECK (VALUE BETWEEN 0 AND 100)")
        conn.execute("CREATE TABLE core.odd_types (id int PRIMARY KEY, m core.mood,"
                     " doc json, p core.percent)")
        conn.execute("CREATE TABLE core.plain_json (id int PRIMARY KEY, doc json)")
        conn.execute("INSERT INTO core.odd_types VALUES (1, 'busy', '{\"a\": 1}', 50),"
                     " (2, 'calm', '[]', 7)")
        conn.execute("INSERT INTO core.plain_json VALUES (1, '{\"b\": [1, 2]}')")
    dump = take_backup(pre_db)
    tables = load_manifest(dump).tables
    assert tables["core.odd_types"]["checksum"].startswith("md5sum128:")
    assert tables["core.plain_json"]["checksum"].startswith("md5sum128:")  # savepoint fallback
    assert tables["core.tenants"]["checksum"].startswith("hrx64:")
    proc = cli(pre_db, "rollback", "--backup", str(dump))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_back_to_backup(pre_db, dump)

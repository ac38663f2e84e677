"""`cutover backup`: a verified dump, a manifest that describes it, and refusals."""

from __future__ import annotations

import hashlib
import threading

import psycopg
import pytest

from cutover.backup import facts
from cutover.backup.archive import parse_toc
from cutover.backup.dump import BackupOptions, BackupRefused, take_backup
from cutover.backup.manifest import load as load_manifest
from cutover.backup.slipped_writes import settle
from cutover.pg import run
from cutover.pg.embedded import bin_path
from tests.backup.conftest import assert_no_secrets, cli, manifest_of, query

SEEDED_EVENT = ("INSERT INTO core.security_events (event_type, severity, details)"
                " VALUES ('BACKUP_TEST', 'INFO', '{}')")


def test_backup_writes_a_verified_dump_and_a_complete_manifest(pre_db):
    out = pre_db.workdir / "backups"
    proc = cli(pre_db, "backup", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "BACKUP STATUS: SUCCESS"
    dumps = sorted(out.glob("solvereign_pre_cutover_*.dump"))
    assert len(dumps) == 1 and dumps[0].name.endswith("Z.dump")
    assert not list(out.glob(".*")), "no temporary file may be left behind"
    doc = manifest_of(dumps[0])
    dump = dumps[0]

    assert doc["format"] == "solvereign-backup-manifest/1"
    assert doc["dump"]["file"] == dump.name
    assert doc["dump"]["sha256"] == hashlib.sha256(dump.read_bytes()).hexdigest()
    assert doc["dump"]["size_bytes"] == dump.stat().st_size
    ident = query(pre_db.url("postgres"),
                  "SELECT system_identifier::text, current_database() FROM pg_control_system()")
    assert (doc["database"]["system_identifier"], doc["database"]["name"]) == ident[0]
    assert doc["database"]["server_version"].startswith("16")
    assert doc["ledger_head"].startswith("024")
    assert doc["snapshot"]["start_lsn"] and doc["snapshot"]["started_at"].endswith("+00:00")
    assert doc["taken_by"]["role"] == "solvereign_backup"
    assert doc["counters"]["before"] == doc["counters"]["after"]
    proof = doc["slipped_writes"]
    assert proof["method"] == "xid horizon"
    # no transaction committed since the witness snapshot: nothing searched, nothing waited
    assert proof["suspect_transactions"] or (proof["settled_seconds"] == 0
                                             and proof["scanned"] == [])
    assert "core.tenants" in doc["counters"]["before"]

    # every table of the catalog is in the manifest, with its rows and checksum
    catalog = query(pre_db.url("postgres"),
                    "SELECT n.nspname || '.' || c.relname, c.relkind FROM pg_class c"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN"
                    " ('r','p','m') AND n.nspname NOT IN ('pg_catalog','information_schema')")
    assert {name for name, _k in catalog} == set(doc["tables"])
    tenants = query(pre_db.url("postgres"), "SELECT count(*) FROM core.tenants")[0][0]
    assert doc["tables"]["core.tenants"]["rows"] == tenants > 0
    assert all(t["checksum"].startswith(("hrx64:", "md5sum128:"))
               for t in doc["tables"].values() if t["kind"] == "r")
    assert doc["fingerprint"]["lines"] and len(doc["fingerprint"]["sha256"]) == 64

    # and pg_restore --list really lists every one of them
    listing = run.run(str(bin_path() / "pg_restore"), ["--list", str(dump)])
    found, count = parse_toc(listing.stdout)
    assert count == doc["dump"]["toc_entries"]
    for name, kind in catalog:
        schema, rel = name.split(".")
        desc = "MATERIALIZED VIEW" if kind == "m" else "TABLE"
        assert (desc, f"{schema} {rel}") in found

    load_manifest(dump)  # the rollback's own validation accepts it
    assert_no_secrets(pre_db, proc.stdout, proc.stderr, folders=(out,))


def test_backup_defaults_to_the_backup_role_and_folder_from_the_environment(pre_db):
    proc = cli(pre_db, "backup")
    assert proc.returncode == 0, proc.stderr
    assert "as solvereign_backup" in proc.stdout
    assert len(list((pre_db.workdir / "backups").glob("*.dump"))) == 1
    assert "***" in proc.stdout  # the URL is shown, masked


def test_a_write_after_the_snapshot_makes_the_backup_refuse(pre_db, tmp_path):
    def slip_in_a_write() -> None:
        with psycopg.connect(pre_db.url("postgres"), autocommit=True) as conn:
            conn.execute(SEEDED_EVENT)

    out = tmp_path / "out"
    opts = BackupOptions(after_snapshot=slip_in_a_write)
    with pytest.raises(BackupRefused) as err:
        take_backup(pre_db.url("solvereign_backup"), out, opts)
    message = str(err.value)
    assert "writes slipped past the freeze" in message
    assert "core.security_events (+1 ins" in message
    assert list(out.iterdir()) == [], "a refused backup leaves no dump behind"


def test_a_write_on_a_pooled_connection_is_caught_after_its_stats_flush(pre_db, tmp_path):
    """The writer flushed its statistics just before writing and stays connected, so its
    insert reaches pg_stat_user_tables only ~10 s later: the backup waits for it."""
    writer: list[psycopg.Connection] = []

    def pooled_write() -> None:
        conn = psycopg.connect(pre_db.url("postgres"), autocommit=True)
        writer.append(conn)
        conn.execute("SELECT count(*) FROM core.tenants")  # first transaction: flushed
        conn.execute(SEEDED_EVENT)  # < 1 s later: counters stay pending in the backend

    try:
        with pytest.raises(BackupRefused, match=r"core\.security_events"):
            take_backup(pre_db.url("solvereign_backup"), tmp_path / "out",
                        BackupOptions(after_snapshot=pooled_write))
    finally:
        for conn in writer:
            conn.close()


def test_a_pooled_write_committed_just_before_the_snapshot_is_caught(pre_db, tmp_path):
    """A pooled connection of the application commits after the backup started (the
    witness snapshot) but before the dump's snapshot: the row is in the dump, yet it
    slipped past the freeze, and the next one would not be; refused, naming the table."""
    with psycopg.connect(pre_db.url("postgres"), autocommit=True) as pooled:
        pooled.execute("SELECT count(*) FROM core.tenants")  # an idle pooled connection
        opts = BackupOptions(before_snapshot=lambda: pooled.execute(SEEDED_EVENT))
        with pytest.raises(BackupRefused) as err:
            take_backup(pre_db.url("solvereign_backup"), tmp_path / "out", opts)
    assert "writes slipped past the freeze" in str(err.value)
    assert "core.security_events (+1 ins, +0 upd, +0 del)" in str(err.value)
    assert not list((tmp_path / "out").iterdir())


def test_a_pooled_write_in_flight_at_the_snapshot_that_commits_during_the_dump_is_caught(
        pre_db, tmp_path):
    """The write is made before the dump's snapshot and committed after it: invisible to
    the dump (its transaction was running), so the dump misses it; refused, naming it."""
    pooled = psycopg.connect(pre_db.url("postgres"))  # not autocommit: a transaction
    try:
        opts = BackupOptions(before_snapshot=lambda: pooled.execute(SEEDED_EVENT),
                             after_snapshot=pooled.commit)
        with pytest.raises(BackupRefused, match=r"core\.security_events \(\+1 ins"):
            take_backup(pre_db.url("solvereign_backup"), tmp_path / "out", opts)
    finally:
        pooled.close()


def test_updates_and_deletes_are_named_with_every_table_searched(pre_db, tmp_path):
    """--settle 0: no wait for the counters, every table is searched for the suspects'
    row versions; an update and a delete are told apart and named."""
    with psycopg.connect(pre_db.url("postgres"), autocommit=True) as conn:
        conn.execute(SEEDED_EVENT)

        def slip() -> None:
            conn.execute("UPDATE core.tenants SET name = name || ' ' WHERE id ="
                         " (SELECT min(id) FROM core.tenants)")
            conn.execute("DELETE FROM core.security_events WHERE event_type = 'BACKUP_TEST'")

        with pytest.raises(BackupRefused) as err:
            take_backup(pre_db.url("solvereign_backup"), tmp_path / "out",
                        BackupOptions(after_snapshot=slip, stats_settle=0))
    message = str(err.value)
    assert "core.tenants (+0 ins, +1 upd, +0 del)" in message
    assert "core.security_events (+0 ins, +0 upd, +1 del)" in message


def test_a_table_created_during_the_dump_refuses_the_backup(pre_db, tmp_path):
    def ddl() -> None:
        with psycopg.connect(pre_db.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE TABLE core.slipped_in (x int)")

    with pytest.raises(BackupRefused, match=r"core\.slipped_in appeared"):
        take_backup(pre_db.url("solvereign_backup"), tmp_path / "out",
                    BackupOptions(after_snapshot=ddl))


def test_a_transaction_that_wrote_nothing_here_does_not_refuse_the_backup(pre_db, tmp_path):
    """xids are cluster-wide: a transaction of another database (or autovacuum's ANALYZE)
    committing during the dump is a suspect, but holds no row of this database: SUCCESS,
    and the manifest says what was searched."""
    def elsewhere() -> None:
        with psycopg.connect(pre_db.admin_url, autocommit=True) as conn:  # database postgres
            conn.execute("SELECT pg_catalog.pg_current_xact_id()")  # takes an xid, commits

    result = take_backup(pre_db.url("solvereign_backup"), tmp_path / "out",
                         BackupOptions(after_snapshot=elsewhere, stats_settle=1.0))
    proof = result.doc["slipped_writes"]
    assert proof["method"] == "xid horizon"
    assert proof["suspect_transactions"] >= 1


def test_an_open_write_transaction_refuses_the_backup(pre_db, tmp_path):
    with psycopg.connect(pre_db.url("postgres")) as conn:
        conn.execute(SEEDED_EVENT)  # not committed: a writer is in flight
        with pytest.raises(BackupRefused, match="write transaction is open"):
            take_backup(pre_db.url("solvereign_backup"), tmp_path / "out", BackupOptions())
        conn.rollback()


def test_a_write_during_a_running_dump_from_another_thread_is_caught(pre_db, tmp_path):
    """A second connection keeps writing while pg_dump runs (the injected hook starts it and
    waits for its first commit, so a loaded machine cannot let the dump finish first): the
    backup must not succeed with moving counters."""
    stop, first = threading.Event(), threading.Event()

    def keep_writing() -> None:
        with psycopg.connect(pre_db.url("postgres"), autocommit=True) as conn:
            while not stop.is_set():
                conn.execute(SEEDED_EVENT)
                first.set()

    thread = threading.Thread(target=keep_writing, daemon=True)

    def start_writing() -> None:
        thread.start()
        assert first.wait(30), "the writer never committed"

    try:
        with pytest.raises(BackupRefused):
            # a busy writer flushes about every PGSTAT_MIN_INTERVAL (1 s): a short settle
            # above that keeps the test quick
            take_backup(pre_db.url("solvereign_backup"), tmp_path / "out",
                        BackupOptions(after_snapshot=start_writing, stats_settle=2.5))
    finally:
        stop.set()
        thread.join(timeout=10)


def test_a_write_transaction_left_open_during_the_dump_refuses_the_backup(pre_db, tmp_path):
    """A writer that began after the backup started and has not committed when the dump
    ends: its rows are in no snapshot yet, so it is refused naming its session."""
    pooled = psycopg.connect(pre_db.url("postgres"), application_name="pooled-writer")
    try:
        opts = BackupOptions(after_snapshot=lambda: pooled.execute(SEEDED_EVENT))
        with pytest.raises(BackupRefused, match=r"write transaction is open \(pid \d+ user "
                                                r"postgres application 'pooled-writer'\)"):
            take_backup(pre_db.url("solvereign_backup"), tmp_path / "out", opts)
    finally:
        pooled.close()


@pytest.fixture
def without_pg_monitor(pre_db):
    """The backup role without pg_monitor for one test (it cannot read other roles'
    sessions in pg_stat_activity); granted back afterwards (a cluster-wide role)."""
    with psycopg.connect(pre_db.admin_url, autocommit=True) as admin:
        admin.execute("REVOKE pg_monitor FROM solvereign_backup")
        try:
            yield
        finally:
            admin.execute("GRANT pg_monitor TO solvereign_backup")


OPEN_WRITER = (r"write transaction is open \(pid \d+ transaction \d+ writing "
               r"core\.security_events\b")


@pytest.mark.parametrize("when", ["before the backup", "during the dump"])
def test_an_open_writer_is_named_through_pg_locks_without_pg_monitor(
        pre_db, tmp_path, without_pg_monitor, when):
    """A backup role that cannot read other roles' sessions still refuses a writer open
    when the backup starts or left open through the dump: pg_locks names its pid, its
    transaction and the table it writes."""
    pooled = psycopg.connect(pre_db.url("postgres"))
    try:
        if when == "before the backup":
            pooled.execute(SEEDED_EVENT)
            opts = BackupOptions()
        else:
            opts = BackupOptions(after_snapshot=lambda: pooled.execute(SEEDED_EVENT))
        with pytest.raises(BackupRefused, match=OPEN_WRITER):
            take_backup(pre_db.url("solvereign_backup"), tmp_path / "out", opts)
    finally:
        pooled.close()


def test_a_session_busy_in_a_statement_is_waited_for_in_full(pre_db):
    """A session running a statement is not idle, and may be gathering counters it has not
    flushed yet: the settle waits the whole bound for it, not 0 s."""
    busy = psycopg.connect(pre_db.url("postgres"), autocommit=True)
    thread = threading.Thread(target=busy.execute, args=("SELECT pg_catalog.pg_sleep(4)",),
                              daemon=True)
    thread.start()
    try:
        with psycopg.connect(pre_db.url("solvereign_backup"), autocommit=True) as ctl:
            for _ in range(100):  # until the sleep shows as active
                states = [s["state"] for s in facts.other_sessions(ctl, "bk-test")]
                if "active" in states:
                    break
                threading.Event().wait(0.02)
            assert settle(ctl, "bk-test", 1.5, None) == pytest.approx(1.5)
    finally:
        thread.join(timeout=10)
        busy.close()


def test_a_role_subject_to_rls_is_bad_input(pre_db):
    proc = cli(pre_db, "backup", "--db-url", pre_db.url("solvereign_api"))
    assert proc.returncode == 2
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and "row-level security" in err[0]
    assert_no_secrets(pre_db, proc.stdout, proc.stderr)


def test_missing_backup_url_is_one_line_exit_2(pre_db):
    proc = cli(pre_db, "backup", SOLVEREIGN_BACKUP_DB_URL="")
    assert proc.returncode == 2
    assert "SOLVEREIGN_BACKUP_DB_URL is not set" in proc.stderr


def test_the_password_never_reaches_a_command_line():
    conn = run.split_password("postgresql://u:s%40cret@h:5432/db?sslmode=require")
    assert conn.password == "s@cret"
    assert "cret" not in conn.dsn and conn.dsn == "postgresql://u@h:5432/db?sslmode=require"
    assert conn.env({})["PGPASSWORD"] == "s@cret"
    other = run.split_password("postgresql://u@h/db?password=x1&application_name=a")
    assert other.password == "x1" and "x1" not in other.dsn


def test_counter_comparison_names_each_moved_table():
    before = {"a.t": [1, 0, 0], "a.u": [5, 5, 5]}
    after = {"a.t": [1, 0, 0], "a.u": [5, 6, 5], "a.new": [2, 0, 0]}
    assert facts.moved(before, after) == {"a.new": [2, 0, 0], "a.u": [0, 1, 0]}

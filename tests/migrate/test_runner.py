"""The migration runner's guarantees, each against a real PostgreSQL."""

from __future__ import annotations

import pytest

from cutover.errors import MigrationError
from cutover.migrate.runner import RunnerOptions, migrate
from tests.migrate.helpers import ledger_rows, tables, write

BASE = {
    "001_first.sql": "CREATE TABLE public.one (id int);\n",
    "002_second.sql": "CREATE TABLE public.two (id int);\nINSERT INTO public.two VALUES (1);\n",
}


def test_applies_in_order_and_records_ledger(empty_db, tmp_path):
    d = write(tmp_path / "m", BASE)
    done = migrate(empty_db, d)
    assert [a.name for a in done] == ["001_first", "002_second"]
    assert {"public.one", "public.two"} <= tables(empty_db)
    assert ledger_rows(empty_db) == [("001", True), ("002", True)]


def test_error_in_the_middle_of_a_file_applies_nothing_of_it(empty_db, tmp_path):
    bad = "CREATE TABLE public.three (id int);\n\n-- comment\nSELECT * FROM no_such_table;\n"
    d = write(tmp_path / "m", BASE | {"003_broken.sql": bad, "004_after.sql": "SELECT 1;"})
    with pytest.raises(MigrationError) as exc:
        migrate(empty_db, d)
    msg = str(exc.value)
    assert "003_broken.sql:4" in msg and "no_such_table" in msg and "nothing of it" in msg
    assert "public.three" not in tables(empty_db)
    assert ledger_rows(empty_db) == [("001", True), ("002", True), ("003", False)]


def test_rerun_after_success_changes_nothing(empty_db, tmp_path):
    d = write(tmp_path / "m", BASE)
    migrate(empty_db, d)
    before = ledger_rows(empty_db)
    assert migrate(empty_db, d) == []
    assert ledger_rows(empty_db) == before


def test_edited_applied_file_is_refused_by_name(empty_db, tmp_path):
    d = write(tmp_path / "m", BASE)
    migrate(empty_db, d)
    (d / "002_second.sql").write_text(BASE["002_second.sql"] + "-- harmless?\n")
    write(d, {"003_new.sql": "CREATE TABLE public.three (id int);"})
    with pytest.raises(MigrationError, match=r"002_second\.sql was edited after it was applied"):
        migrate(empty_db, d)
    assert "public.three" not in tables(empty_db)


def test_dry_run_changes_nothing(empty_db, tmp_path):
    d = write(tmp_path / "m", BASE)
    lines: list[str] = []
    migrate(empty_db, d, RunnerOptions(dry_run=True), log=lines.append)
    assert any("would apply 2 file(s)" in line for line in lines)
    assert tables(empty_db) == set()  # not even the ledger


def test_target_stops_at_the_named_migration(empty_db, tmp_path):
    d = write(tmp_path / "m", BASE | {"002a_between.sql": "SELECT 1;"})
    migrate(empty_db, d, RunnerOptions(target="002"))
    assert [v for v, _ in ledger_rows(empty_db)] == ["001", "002"]
    migrate(empty_db, d)
    assert [v for v, _ in ledger_rows(empty_db)] == ["001", "002", "002a"]


def test_unknown_target_is_a_clear_error(empty_db, tmp_path):
    d = write(tmp_path / "m", BASE)
    from cutover.errors import ConfigError

    with pytest.raises(ConfigError, match="--target 009 names no migration"):
        migrate(empty_db, d, RunnerOptions(target="009"))


def test_verify_script_failure_rolls_the_migration_back(empty_db, tmp_path):
    d = write(tmp_path / "m", {
        "001_table.sql": "CREATE TABLE public.v (id int);",
        "001_table.verify.sql": "DO $$ BEGIN RAISE EXCEPTION 'verify: table is empty'; END $$;",
    })
    with pytest.raises(MigrationError, match=r"001_table\.verify\.sql:1: verify: table is empty"):
        migrate(empty_db, d)
    assert "public.v" not in tables(empty_db)


def test_out_of_order_file_is_drift(empty_db, tmp_path):
    d = write(tmp_path / "m", BASE)
    migrate(empty_db, d)
    write(d, {"001a_late.sql": "SELECT 1;"})
    with pytest.raises(MigrationError, match=r"001a_late\.sql is pending but sorts before"):
        migrate(empty_db, d)


def test_failed_concurrent_index_is_swept(empty_db, tmp_path):
    d = write(tmp_path / "m", {
        "001_dupes.sql": "CREATE TABLE public.d (x int); INSERT INTO public.d VALUES (1), (1);",
        "002_idx.sql": "-- cutover: no-transaction\n"
                       "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS d_x ON public.d (x);\n",
    })
    with pytest.raises(MigrationError, match=r"002_idx\.sql"):
        migrate(empty_db, d)
    # IF NOT EXISTS now skips the invalid index; the sweep must not let that pass.
    import psycopg

    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("DELETE FROM public.d WHERE ctid = (SELECT max(ctid) FROM public.d)")
    with pytest.raises(MigrationError, match=r"invalid indexes .*public\.d_x"):
        migrate(empty_db, d)


def test_non_transactional_file_must_hold_one_idempotent_statement(tmp_path):
    from cutover.errors import ConfigError
    from cutover.migrate.files import discover

    two = write(tmp_path / "a", {"001_x.sql": "-- cutover: no-transaction\nSELECT 1; SELECT 2;"})
    with pytest.raises(ConfigError, match="holds 2 statements"):
        discover(two)
    bare = write(tmp_path / "b", {
        "001_x.sql": "-- cutover: no-transaction\nCREATE INDEX CONCURRENTLY i ON t (x);"})
    with pytest.raises(ConfigError, match="not idempotent"):
        discover(bare)

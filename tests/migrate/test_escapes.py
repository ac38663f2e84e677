"""A migration file cannot reach outside its transaction or session (issue 24.4,
docs/operations.md).

Each refusal is decided on PostgreSQL's scanner tokens and names the statement with
file:line, before anything of the run is applied; what tokens cannot see is contained by
a fresh session per file and the lock held on the runner's own session.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from cutover.errors import MigrationError
from cutover.migrate.escapes import refusals
from cutover.migrate.runner import RunnerOptions, migrate
from cutover.migrate.sqlsplit import SqlLexError, split_statements
from tests.migrate.helpers import ledger_rows, tables, write

BASE = {"001_first.sql": "CREATE TABLE public.one (id int);\n"}


def test_begin_commit_in_a_file_is_refused_and_nothing_is_kept(empty_db, tmp_path):
    """The issue's example: before, public.kept survived the failing statement."""
    escaping = ("CREATE TABLE public.before_commit (id int);\n"
                "BEGIN;\nCREATE TABLE public.kept (id int);\nCOMMIT;\n"
                "SELECT * FROM no_such_table;\n")
    d = write(tmp_path / "m", BASE | {"002_escape.sql": escaping})
    with pytest.raises(MigrationError) as exc:
        migrate(empty_db, d)
    msg = str(exc.value)
    assert "002_escape.sql:2: BEGIN is transaction control" in msg
    assert "002_escape.sql:4: COMMIT is transaction control" in msg
    assert "nothing was applied" in msg
    assert not {"public.kept", "public.before_commit", "public.one"} & tables(empty_db)
    assert ledger_rows(empty_db) == []


CASES = [
    ("START TRANSACTION;", "START TRANSACTION is transaction control"),
    ("END;", "END is transaction control"),
    ("ROLLBACK;", "ROLLBACK is transaction control"),
    ("ABORT;", "ABORT is transaction control"),
    ("SAVEPOINT s;", "SAVEPOINT is transaction control"),
    ("RELEASE SAVEPOINT s;", "RELEASE SAVEPOINT is transaction control"),
    ("ROLLBACK TO SAVEPOINT s;", "ROLLBACK is transaction control"),
    ("PREPARE TRANSACTION 'x';", "PREPARE TRANSACTION outlives"),
    ("COMMIT PREPARED 'x';", "COMMIT is transaction control"),
    ("PREPARE q AS SELECT 1;", "PREPARE outlives"),
    ("SET search_path = evil, public;", "SET search_path = ... is a session setting"),
    ("SET ROLE solvereign_owner;", "SET ROLE solvereign_owner ... is a session setting"),
    ("SET SESSION AUTHORIZATION postgres;", "SET SESSION AUTHORIZATION ... is a session"),
    ("set work_mem to '1GB';", "set work_mem to ... is a session setting"),
    ("RESET ALL;", "RESET ALL changes the session"),
    ("SET LOCAL statement_timeout = 0;", "SET statement_timeout lifts the runner's bound"),
    ("SET lock_timeout TO 0;", "SET lock_timeout lifts the runner's bound"),
    ("SELECT set_config('statement_timeout', '0', true);",
     "set_config('statement_timeout', ...) lifts the runner's bound"),
    ("RESET lock_timeout;", "RESET changes the session"),
    ("DISCARD ALL;", "DISCARD acts on the session"),
    ("LISTEN ch;", "LISTEN acts on the session"),
    ("UNLISTEN *;", "UNLISTEN acts on the session"),
    ("LOAD 'auto_explain';", "LOAD acts on the session"),
    ("SELECT pg_advisory_unlock_all();", "pg_advisory_unlock_all() releases"),
    ("SELECT pg_catalog.pg_advisory_unlock(1);", "pg_advisory_unlock() releases"),
    ('SELECT "pg_advisory_unlock_all"();', "pg_advisory_unlock_all() releases"),
    ("SELECT pg_advisory_lock(7);", "pg_advisory_lock() takes a session advisory lock"),
    ("SELECT pg_terminate_backend(1);", "pg_terminate_backend() ends another session"),
    ("SELECT dblink_exec('dbname=x', 'DELETE FROM t');", "dblink_exec() runs SQL in another"),
    ("SELECT set_config('search_path', 'evil', false);", "set_config(..., false) changes"),
    ("SELECT set_config('search_path', 'evil', 1 = 1);", "set_config(..., false) changes"),
    ("CREATE DATABASE twin;", "CREATE DATABASE reaches outside this database"),
    ("DROP TABLESPACE t;", "DROP TABLESPACE reaches outside"),
    ("ALTER SYSTEM SET work_mem = '1GB';", "ALTER SYSTEM reaches outside"),
    ("VACUUM public.one;", "VACUUM cannot run inside the file's transaction"),
    ("CREATE INDEX CONCURRENTLY i ON public.one (id);",
     "CREATE INDEX CONCURRENTLY cannot run inside the file's transaction"),
    ("COPY public.one FROM PROGRAM 'true';", "COPY ... PROGRAM runs a command"),
    ("\\set ON_ERROR_STOP 0\nSELECT 1;", "a psql meta-command"),
    ("DO $$ BEGIN CREATE TABLE public.x (id int); COMMIT; END $$;",
     "COMMIT inside a DO block is transaction control"),
    ("DO $do$\nBEGIN\n  PERFORM pg_advisory_unlock_all();\nEND\n$do$;",
     "pg_advisory_unlock_all() releases every session advisory lock"),
    ("DO $$ BEGIN SET search_path = evil; END $$;", "(inside a DO block)"),
    ("DO 'BEGIN ROLLBACK; END';", "ROLLBACK inside a DO block"),
]


@pytest.mark.parametrize("sql, expected", CASES, ids=[c[0][:40] for c in CASES])
def test_each_escape_is_refused_by_name_with_file_and_line(sql, expected):
    text = "-- a harmless start\nCREATE TABLE public.t (id int);\n" + sql + "\n"
    found = refusals(Path("025g_next.sql"), text, transactional=True)
    assert found, f"not refused: {sql}"
    assert expected in "; ".join(found)
    assert all(line.startswith("025g_next.sql:") for line in found)
    assert any(line.startswith("025g_next.sql:3:") or line.startswith("025g_next.sql:4:")
               or line.startswith("025g_next.sql:5:") for line in found), found


ALLOWED = [
    "SET LOCAL ROLE solvereign_owner;",
    "SET LOCAL search_path = pg_catalog;",
    "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;",
    "SET CONSTRAINTS ALL DEFERRED;",
    "RESET ROLE;",
    "SELECT set_config('app.tenant_id', 'x', true);",
    "SELECT pg_advisory_xact_lock(7);",
    "ALTER DATABASE current SET work_mem = '8MB';",
    "CREATE FUNCTION public.f() RETURNS void LANGUAGE sql SET search_path = pg_catalog "
    "AS $$ SELECT 1 $$;",
    "SELECT 'BEGIN; COMMIT; SET search_path = x; \\set' AS text_only;",
    "SELECT $q$ pg_advisory_unlock_all() $q$;",
    "SELECT E'\\'; COMMIT; --' AS escaped;",
    'CREATE TABLE public."COMMIT; BEGIN" (id int);',
    "/* nested /* COMMIT; */ still a comment; */ SELECT 1;",
    "REFRESH MATERIALIZED VIEW CONCURRENTLY public.mv;",
    "UPDATE public.one SET id = 1;",
    "DO $$ BEGIN UPDATE public.one SET id = 2; END $$;",
]


@pytest.mark.parametrize("sql", ALLOWED, ids=[a[:40] for a in ALLOWED])
def test_what_stays_inside_the_file_is_allowed(sql):
    assert refusals(Path("025g_next.sql"), sql, transactional=True) == []


def test_every_repository_migration_passes():
    from cutover.migrate.files import default_directory, discover
    from cutover.migrate.runner import refused

    assert refused(discover(default_directory())) == []


def test_the_splitter_uses_the_server_scanner():
    text = ("SELECT $f$ a;b $f$;\nSELECT E'x\\';y';\nSELECT \"a;b\" FROM t;\n"
            "/* a /* b; */ c; */ SELECT 4;")
    got = [(s.text, s.line) for s in split_statements(text)]
    assert got == [("SELECT $f$ a;b $f$", 1), ("SELECT E'x\\';y'", 2),
                   ('SELECT "a;b" FROM t', 3), ("SELECT 4", 4)]
    with pytest.raises(SqlLexError, match=r"f\.sql:2: cannot be read as SQL"):
        split_statements("SELECT 1;\nSELECT 'open", source="f.sql")


def test_the_next_file_starts_from_a_clean_session(empty_db, tmp_path):
    """Dynamic SQL the tokens cannot see dies with the file's own session."""
    d = write(tmp_path / "m", BASE | {
        "002_sneaky.sql": "CREATE SCHEMA evil;\n"
                          "DO $$ BEGIN EXECUTE 'SET search' || '_path = evil'; END $$;\n",
        "003_next.sql": "CREATE TABLE t_where (id int);\n",
    })
    migrate(empty_db, d)
    assert "public.t_where" in tables(empty_db)  # not evil.t_where
    assert ledger_rows(empty_db) == [("001", True), ("002", True), ("003", True)]


def test_a_lock_released_by_dynamic_sql_cannot_free_the_runner(empty_db, tmp_path):
    """The lock lives on the runner's own session; a file releasing 'all' releases nothing
    of the runner's, and another runner still waits."""
    d = write(tmp_path / "m", BASE | {
        "002_unlock.sql": "DO $$ BEGIN EXECUTE 'SELECT pg_advisory' || '_unlock_all()'; END $$;\n"
                          "SELECT pg_sleep(0);\n"})
    seen: list[bool] = []

    def log(line: str) -> None:
        if line.startswith("applied 002"):
            with psycopg.connect(empty_db, autocommit=True) as other:
                held = other.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                ).fetchone()[0]
            seen.append(held == 1)

    migrate(empty_db, d, log=log)
    assert seen == [True]


def test_lost_lock_rolls_the_file_back(empty_db, tmp_path):
    """A file that kills the runner's lock session cannot commit: the lock is re-checked
    inside its transaction."""
    d = write(tmp_path / "m", BASE | {
        "002_kill.sql": "CREATE TABLE public.after_kill (id int);\n"
                        "DO $$ BEGIN EXECUTE 'SELECT pg_terminate' || '_backend(pid) FROM "
                        "pg_stat_activity WHERE application_name = ''cutover-migrate''';"
                        " END $$;\n"})
    with pytest.raises(MigrationError):
        migrate(empty_db, d, RunnerOptions())
    assert "public.after_kill" not in tables(empty_db)


def test_no_transaction_file_rules_are_tokens(tmp_path):
    from cutover.errors import ConfigError
    from cutover.migrate.files import read_migration

    path = tmp_path / "030_idx.sql"
    path.write_text("-- cutover: no-transaction\n"
                    "CREATE INDEX CONCURRENTLY i ON public.one (id) /* IF NOT EXISTS */;\n")
    with pytest.raises(ConfigError, match="not idempotent"):
        read_migration(path)
    path.write_text("-- cutover: no-transaction\n"
                    "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON public.one (id);\n")
    m = read_migration(path)
    assert refusals(m.path, m.text, m.transactional) == []

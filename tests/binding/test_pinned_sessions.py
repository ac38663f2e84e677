"""The gate's and the runbook's own sessions do not trust the target (issue 24.6).

A database-level `search_path = evil, public` set by the owner reaches every session that
does not pin its own; an `evil.verify_final_hardening()` then answers PASS for a broken
database. A lock held by another session makes a read wait forever unless the session sets
lock_timeout. The bounds are lowered through the settings, never timed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest

from cutover.runbook.cutover_steps import verify_hardening
from cutover.runbook.steps import Run, StepFailed
from cutover.watch.collect import Sources, _database
from tests.platform import run_gate

EVIL = """
CREATE SCHEMA evil;
GRANT USAGE ON SCHEMA evil TO PUBLIC;
CREATE FUNCTION evil.verify_final_hardening()
    RETURNS TABLE (check_name text, status text, details text)
    LANGUAGE sql AS $$ SELECT 'everything'::text, 'PASS'::text, 'trust me'::text $$;
GRANT EXECUTE ON FUNCTION evil.verify_final_hardening() TO PUBLIC;
ALTER TABLE core.api_keys NO FORCE ROW LEVEL SECURITY;
"""


@pytest.fixture
def shadowed(make_platform):
    """A migrated database whose owner made its own verify_final_hardening() the one an
    unpinned session resolves, with a real finding for the real function to report."""
    db = make_platform("latest")
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute(EVIL)
        conn.execute(f'ALTER DATABASE "{db.dbname}" SET search_path = evil, public')
    with psycopg.connect(db.url(), autocommit=True) as plain:  # the attack is real
        rows = plain.execute("SELECT status FROM verify_final_hardening()").fetchall()
    assert rows == [("PASS",)]
    return db


def test_step_3_4_calls_the_real_function(shadowed, tmp_path):
    run = Run(artifacts=tmp_path, db_url=shadowed.url(), log=lambda _line: None)
    with pytest.raises(StepFailed, match=r"verify_final_hardening\(\) FAIL: "):
        verify_hardening(run)
    assert "everything" not in (tmp_path / "verify_hardening.json").read_text()


def test_the_watch_calls_the_real_function(shadowed):
    src = Sources(api_url=None, metrics_url=None, db_url=shadowed.url(),
                  started=datetime.now(UTC))
    _, failing, _, ok = _database(src)
    assert ok and failing and "everything" not in failing


def test_the_gate_catalog_session_ignores_the_database_search_path(shadowed):
    _, result = run_gate(shadowed, "checks/p3_postmigration/test_pm070_verify_function_agrees.py",
                         marker="postmigration")
    (check,) = [c for c in result["checks"] if c["check_id"] == "PM-070"]
    assert "everything" not in check["message"]


def _hold(db, table: str) -> psycopg.Connection:
    """Another session holding an ACCESS EXCLUSIVE lock on `table` until closed."""
    conn = psycopg.connect(db.url("postgres"))
    conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    return conn


def test_a_held_lock_is_a_miss_for_the_watch_not_a_hang(make_platform, monkeypatch):
    db = make_platform("latest")
    monkeypatch.setenv("SOLVEREIGN_GATE_LOCK_TIMEOUT", "200ms")
    holder = _hold(db, "core.security_events")
    try:
        src = Sources(api_url=None, metrics_url=None, db_url=db.url(),
                      started=datetime.now(UTC))
        _, _, _, ok = _database(src)
    finally:
        holder.close()
    assert ok is False and "lock timeout" in "; ".join(src.notes)


def test_a_held_lock_fails_the_gate_check_in_bounded_time(make_platform):
    db = make_platform("pre")
    holder = _hold(db, "meta.migration_ledger")
    try:
        _, result = run_gate(db, "checks/p1_preflight/test_pf001_server_version.py",
                             "checks/p1_preflight/test_pf003_ledger_head.py", marker="preflight",
                             env=db.env(SOLVEREIGN_GATE_LOCK_TIMEOUT="200ms"))
    finally:
        holder.close()
    (check,) = [c for c in result["checks"] if c["check_id"] == "PF-003"]
    assert check["status"] == "FAIL" and "lock timeout" in check["message"]
    assert "unreadable" in str(result["target"]["database"])


def test_a_held_lock_fails_step_3_4_in_bounded_time(make_platform, tmp_path, monkeypatch):
    db = make_platform("latest")
    monkeypatch.setenv("SOLVEREIGN_GATE_LOCK_TIMEOUT", "200ms")
    holder = _hold(db, "meta.migration_ledger")
    try:
        with pytest.raises(StepFailed, match="lock timeout"):
            verify_hardening(Run(artifacts=tmp_path, db_url=db.url(), log=lambda _l: None))
    finally:
        holder.close()


def test_a_zero_timeout_is_refused(monkeypatch):
    from cutover.errors import ConfigError
    from cutover.pg import pinned

    monkeypatch.setenv("SOLVEREIGN_GATE_STATEMENT_TIMEOUT", "0")
    with pytest.raises(ConfigError, match="SOLVEREIGN_GATE_STATEMENT_TIMEOUT='0'"):
        pinned.options()

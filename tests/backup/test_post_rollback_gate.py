"""The post-rollback gate (`pytest checks -m postrollback`): passes on a database that is its
backup, and each way of not being the backup fails exactly the checks that judge it."""

from __future__ import annotations

import psycopg

from cutover.migrate.files import default_directory
from cutover.migrate.runner import RunnerOptions, migrate
from tests.backup.conftest import cli
from tests.platform import PlatformDB, run_gate, statuses

PHASE = {"PF-001", "PF-003", "PF-007", "PF-008", "PF-009", "FZ-001", "FZ-002", "PR-001"}


def _backup(db: PlatformDB):
    proc = cli(db, "backup", "--out", str(db.workdir / "backups"))
    assert proc.returncode == 0, proc.stderr
    return sorted((db.workdir / "backups").glob("*.dump"))[-1]


def _gate(db: PlatformDB, manifest=None) -> tuple[str, dict[str, str], dict]:
    extra = ("--backup-manifest", str(manifest)) if manifest else ()
    proc, result = run_gate(db, "checks", marker="postrollback", extra=extra)
    assert result, proc.stdout[-2000:] + proc.stderr[-2000:]
    return result["verdict"], statuses(result), result


def _message(result: dict, check_id: str) -> str:
    (check,) = [c for c in result["checks"] if c["check_id"] == check_id]
    return check.get("message") or ""


def test_the_backup_itself_passes_and_the_phase_is_what_the_readme_says(pre_db):
    dump = _backup(pre_db)
    verdict, status, _ = _gate(pre_db, dump)
    assert set(status) == PHASE
    assert status["PR-001"] == "PASS" and status["PF-003"] == "PASS"
    assert verdict == "PASS", status


def test_without_a_manifest_pr001_is_not_verified(pre_db):
    verdict, status, result = _gate(pre_db)
    assert status["PR-001"] == "WARN" and "not verified" in _message(result, "PR-001")
    assert verdict == "WARN"


def test_a_grant_added_after_the_restore_fails_pr001_naming_the_table(pre_db):
    dump = _backup(pre_db)
    with psycopg.connect(pre_db.url("postgres"), autocommit=True) as conn:
        conn.execute("GRANT TRUNCATE ON core.sites TO solvereign_platform")
    verdict, status, result = _gate(pre_db, dump)
    assert {k for k, v in status.items() if v == "FAIL"} == {"PR-001"}
    assert "core.sites" in _message(result, "PR-001")
    assert verdict == "FAIL"


def test_a_hardening_file_applied_after_the_restore_fails_pr001_and_pf003(pre_db):
    dump = _backup(pre_db)
    migrate(pre_db.url("solvereign_migrator"), default_directory(), RunnerOptions(target="025"))
    verdict, status, result = _gate(pre_db, dump)
    assert {k for k, v in status.items() if v == "FAIL"} == {"PR-001", "PF-003"}
    assert "ledger head is 025_tenants_rls_fix" in _message(result, "PR-001")
    assert verdict == "FAIL"


def test_the_manifest_of_another_database_fails_pr001_naming_both(pre_db, make_platform):
    other = make_platform("pre")
    dump = _backup(other)
    verdict, status, result = _gate(pre_db, dump)
    assert {k for k, v in status.items() if v == "FAIL"} == {"PR-001"}
    message = _message(result, "PR-001")
    assert pre_db.dbname in message and other.dbname in message
    assert verdict == "FAIL"


def test_a_rollback_whose_gate_fails_stops_before_enabling_writes(pre_db):
    """A redeploy hook that re-applies a hardening file after the swap: the gate finds it
    (PR-001, PF-003), the rollback fails at step 9 and writes stay disabled."""
    import sys

    from tests.backup.conftest import writes_disabled

    dump = _backup(pre_db)
    reapply = f"{sys.executable} -m cutover.cli migrate --target 025"
    artifacts = pre_db.workdir / "rollback-artifacts"
    proc = cli(pre_db, "rollback", "--backup", str(dump), "--artifacts-dir", str(artifacts),
               SOLVEREIGN_REDEPLOY_COMMAND=reapply)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "[9/10] post-rollback gate" in proc.stdout
    assert "FAIL  PR-001" in proc.stdout and "FAIL  PF-003" in proc.stdout
    assert "rollback failed at post-rollback gate" in proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "ROLLBACK STATUS: FAILED"
    assert writes_disabled(pre_db)
    assert (artifacts / "postrollback_result.json").exists()

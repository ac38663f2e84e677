"""Approval and enable bind to the database state that was judged (issue 24.1).

Approve refuses a bundle whose artifacts name different targets; enable and
last-known-good re-read the live database and refuse unless it is still exactly what was
approved (cluster, database, ledger head, schema fingerprint) with no migration running.
"""

from __future__ import annotations

import json
import re
import shutil

import psycopg
import pytest

from cutover.approval import record as approval
from cutover.evidence import bundle
from cutover.migrate.runner import ADVISORY_LOCK_KEY, migrate
from tests.binding.helpers import FROM_HEAD, bound_bundle, cli, edit
from tests.evidence.keys import key
from tests.platform import REPO, run_gate


@pytest.fixture
def db(make_platform):
    return make_platform("latest")


@pytest.fixture
def approved(db, tmp_path):
    folder, live = bound_bundle(tmp_path / "b", db)
    proc = cli("approve", "--artifacts-dir", str(folder), "--approver", "Jane Doe", db=db)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return folder, live


def test_approval_records_the_judged_target_and_rereads_it(approved, db):
    folder, live = approved
    record = json.loads((folder / approval.RECORD).read_text())
    assert record["target"] == live.as_dict()
    assert record["live_checked"] and db.dbname in record["live_checked"]
    assert record["waivers"] == []


def test_a_gate_rerun_against_a_twin_database_is_refused(db, make_platform, tmp_path):
    """The issue's example: the security gate re-run into the bundle with another --db-url
    (a twin database of the same cluster). The gate's own verdict names its target."""
    twin = make_platform("latest")
    folder, _ = bound_bundle(tmp_path / "b", db)
    _, result = run_gate(twin, "checks/p3_postmigration/test_pm010_rls_forced.py",
                         marker="postmigration")
    assert result["target"]["database"]["database"] == twin.dbname
    (folder / "security_gate_result.json").write_text(json.dumps(result))
    bundle.seal(folder, key())
    proc = cli("approve", "--artifacts-dir", str(folder), "--approver", "Jane", db=db)
    assert proc.returncode == 1, proc.stdout
    assert (f"security_gate_result.json judged another target than migration_log.json: "
            f"database: judged {db.dbname}, found {twin.dbname}") in proc.stderr
    assert not (folder / approval.RECORD).exists()


@pytest.mark.parametrize("artifact, change, expected", [
    ("verify_hardening.json", lambda d: d["target"].update(ledger_head="025c_rls_boundary_fix"),
     "verify_hardening.json judged another target than migration_log.json: ledger_head"),
    ("acl_scan_report.json", lambda d: d["target"].update(schema_fingerprint="0" * 64),
     "acl_scan_report.json judged another target than migration_log.json: schema_fingerprint"),
    ("security_gate_result.json", lambda d: d["target"]["database_after"].update(
        ledger_head="099_x"), "security_gate_result.json: the target moved while it was judged"),
    ("backup_manifest.json", lambda d: d["database"].update(system_identifier="1"),
     "backup_manifest.json is of another database: system_identifier"),
    ("backup_manifest.json", lambda d: d.update(ledger_head="023_application_grants"),
     "the migrations started at 024_table_classification, the backup was taken at 023"),
    ("preflight_result.json", lambda d: d["target"].pop("database"),
     "preflight_result.json names no target database"),
    ("migration_log.json", lambda d: d.pop("target"), "migration_log.json names no target"),
])
def test_artifacts_that_disagree_are_refused_by_name(db, tmp_path, artifact, change, expected):
    folder, _ = bound_bundle(tmp_path / "b", db)
    edit(folder, artifact, change)
    bundle.seal(folder, key())
    with pytest.raises(approval.ApprovalRefused, match=re.escape(expected)):
        approval.approve(folder, "Jane", key())


def test_the_live_database_moved_before_approval(db, tmp_path):
    folder, _ = bound_bundle(tmp_path / "b", db)
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute("ALTER TABLE core.tenants ADD COLUMN note text")
    proc = cli("approve", "--artifacts-dir", str(folder), "--approver", "Jane", db=db)
    assert proc.returncode == 1 and "schema_fingerprint: judged" in proc.stderr


def _one_more_migration(db, tmp_path) -> None:
    """025g-style: one more file applied after the approval (a throwaway directory: the
    repository's migrations plus one)."""
    d = tmp_path / "migrations"
    shutil.copytree(REPO / "migrations", d)
    (d / "099_after_approval.sql").write_text("SELECT 1;\n")
    migrate(db.url(), d)


def test_enable_refuses_after_one_more_migration(approved, db, tmp_path):
    folder, live = approved
    _one_more_migration(db, tmp_path)
    store = tmp_path / "store.json"
    proc = cli("enable", "--no-verify", "--artifacts-dir", str(folder), db=db,
               SOLVEREIGN_CONFIG_STORE_FILE=str(store))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (f"ledger_head: judged {live.ledger_head}, found 099_after_approval"
            in proc.stderr)
    assert not store.exists()  # nothing was switched
    assert not (folder / "enable_record.json").exists()


def test_enable_refuses_while_a_migration_runner_holds_the_lock(approved, db, tmp_path):
    folder, _ = approved
    with psycopg.connect(db.url(), autocommit=True) as runner:
        runner.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
        proc = cli("enable", "--no-verify", "--artifacts-dir", str(folder), db=db,
                   SOLVEREIGN_CONFIG_STORE_FILE=str(tmp_path / "s.json"))
    assert proc.returncode == 1
    assert "a migration runner is at work: pid" in proc.stderr and "holds the lock" in proc.stderr


def test_enable_refuses_a_hand_made_schema_change(approved, db, tmp_path):
    folder, _ = approved
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute("CREATE INDEX tenants_active_idx ON core.tenants (is_active)")
    proc = cli("enable", "--no-verify", "--artifacts-dir", str(folder), db=db,
               SOLVEREIGN_CONFIG_STORE_FILE=str(tmp_path / "s.json"))
    assert proc.returncode == 1 and "schema_fingerprint: judged" in proc.stderr


def test_enable_of_the_approved_state_records_it(approved, db, tmp_path):
    folder, live = approved
    proc = cli("enable", "--no-verify", "--artifacts-dir", str(folder), db=db,
               SOLVEREIGN_CONFIG_STORE_FILE=str(tmp_path / "s.json"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "the live database is what was approved" in proc.stdout
    record = json.loads((folder / "enable_record.json").read_text())
    assert record["approval"]["target"] == live.as_dict()


def test_enable_without_a_database_to_reread_is_refused(approved, db, tmp_path):
    folder, _ = approved
    proc = cli("enable", "--no-verify", "--artifacts-dir", str(folder), db=db,
               SOLVEREIGN_DB_URL="", SOLVEREIGN_CONFIG_STORE_FILE=str(tmp_path / "s.json"))
    assert proc.returncode == 1 and "enable re-reads the live database" in proc.stderr


def test_last_known_good_refuses_a_database_that_moved_after_enable(approved, db, tmp_path):
    folder, _ = approved
    enabled = cli("enable", "--no-verify", "--artifacts-dir", str(folder), db=db,
                  SOLVEREIGN_CONFIG_STORE_FILE=str(tmp_path / "s.json"))
    assert enabled.returncode == 0, enabled.stderr
    _one_more_migration(db, tmp_path)
    lkg_file = tmp_path / "lkg.json"
    proc = cli("last-known-good", "--artifacts-dir", str(folder), "--lkg-file", str(lkg_file),
               db=db)
    assert proc.returncode == 1 and "found 099_after_approval" in proc.stderr
    assert not lkg_file.exists()


def test_enable_refuses_a_role_granted_bypassrls_after_approval(approved, db, tmp_path):
    folder, _ = approved
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute("ALTER ROLE solvereign_api BYPASSRLS")
    try:
        proc = cli("enable", "--no-verify", "--artifacts-dir", str(folder), db=db,
                   SOLVEREIGN_CONFIG_STORE_FILE=str(tmp_path / "s.json"))
    finally:
        with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
            conn.execute("ALTER ROLE solvereign_api NOBYPASSRLS")  # roles are cluster-wide
    assert proc.returncode == 1 and "schema_fingerprint: judged" in proc.stderr


def test_the_gate_reads_its_target_when_it_starts_and_ends(db):
    _, result = run_gate(db, "checks/p3_postmigration/test_pm010_rls_forced.py",
                         marker="postmigration")
    assert result["target"]["database"] == result["target"]["database_after"]
    assert result["target"]["database"]["database"] == db.dbname


def _waived(folder, severity: str, second: str | None = None, days: int = 30) -> None:
    from datetime import date, timedelta

    created = date.today() - timedelta(days=1)
    waiver = {"check": "PM-038", "object": "core.users.email", "reason": "legacy export",
              "approver": "Jane Doe", "second_approver": second, "severity": severity,
              "created": created.isoformat(),
              "expires": (created + timedelta(days=days)).isoformat()}
    edit(folder, "security_gate_result.json", lambda d: d["checks"].append(
        {"check_id": "PM-038", "severity": severity, "status": "PASS", "outcome": "waived",
         "waivers": [waiver]}))
    bundle.seal(folder, key())


def test_the_approval_screen_and_record_list_every_waiver(db, tmp_path):
    """The issue's example: 'verdict PASS (33 PASS)' with no word of the waiver."""
    folder, _ = bound_bundle(tmp_path / "b", db)
    _waived(folder, "major")
    proc = cli("approve", "--artifacts-dir", str(folder), "--approver", "Max", db=db)
    assert proc.returncode == 0, proc.stderr
    assert "1 of them WAIVED: PM-038 core.users.email" in proc.stdout
    assert ("WAIVED  PM-038 [major] core.users.email — legacy export (approved by Jane Doe"
            in proc.stdout)
    record = json.loads((folder / approval.RECORD).read_text())
    assert [(w["check"], w["object"], w["approver"]) for w in record["waivers"]] == [
        ("PM-038", "core.users.email", "Jane Doe")]


@pytest.mark.parametrize("severity, second, days, expected", [
    ("blocker", None, 30, "waives a blocker with one approver"),
    ("major", None, 3000, "runs 3000 days (at most 90)"),
])
def test_approval_refuses_a_waiver_the_policy_does_not_allow(db, tmp_path, severity, second,
                                                             days, expected):
    folder, _ = bound_bundle(tmp_path / "b", db)
    _waived(folder, severity, second, days)
    with pytest.raises(approval.ApprovalRefused, match=re.escape(expected)):
        approval.approve(folder, "Max", key())


def _judged_before_migrations(folder, live, confirmation=None):
    """The rehearsal's order: the roster dry run judged the database at the head the
    migrations started from; optionally the window's confirmation of its inputs."""
    instance = "ab" * 32
    edit(folder, "roster_dry_run.json", lambda d: d.update(
        instance_sha256=instance, target={**live.as_dict(), "ledger_head": FROM_HEAD}))
    if confirmation is not None:
        judged = {"tenant": "wien_pilot", "week_start": "2026-01-12",
                  "instance_sha256": instance, "stored_plan_sha256": "cd" * 32}
        doc = {"judged_before_freeze": judged, "after_migrations": judged, "differs": [],
               "target": live.as_dict(), "verdict": "PASS"}
        confirmation(doc)
        (folder / "drills_confirmation.json").write_text(json.dumps(doc))
    bundle.seal(folder, key())


def test_a_roster_verdict_judged_before_the_migrations_stands_when_confirmed(db, tmp_path):
    folder, live = bound_bundle(tmp_path / "b", db)
    _judged_before_migrations(folder, live, confirmation=lambda d: None)
    approval.approve(folder, "Jane", key())


@pytest.mark.parametrize("confirmation, expected", [
    (None, "roster_dry_run.json judged ledger head 024_table_classification, before the "
           "migrations, and drills_confirmation.json (its inputs unchanged on the migrated "
           "database) is missing"),
    (lambda d: d.update(verdict="CHANGED", differs=["instance_sha256"]),
     "drills_confirmation.json says CHANGED (differs: instance_sha256)"),
    (lambda d: d["target"].update(database="twin"),
     "drills_confirmation.json judged another target than the migrations: database"),
    (lambda d: d["judged_before_freeze"].update(instance_sha256="ef" * 32),
     "roster_dry_run.json judged instance abababababab, not efefefefefef"),
])
def test_an_unconfirmed_roster_verdict_from_before_the_migrations_is_refused(
        db, tmp_path, confirmation, expected):
    folder, live = bound_bundle(tmp_path / "b", db)
    _judged_before_migrations(folder, live, confirmation)
    with pytest.raises(approval.ApprovalRefused, match=re.escape(expected)):
        approval.approve(folder, "Jane", key())

"""PM-003: data the gate trusts cannot change under it (issue 24.5).

A real backup of a pre-cutover database, the real migrations, then the gate's data check:
the hardening series changes no row; a migration that moves an API key from one tenant to
another, with the catalog exactly as reviewed, fails the check naming the table and both
tenants; declared, the same change passes and is listed for the approver.
"""

from __future__ import annotations

import json
import shutil

import pytest

from cutover.backup.dump import take_backup
from cutover.migrate.runner import migrate
from cutover.pg.connect import connect
from cutover.runbook.cutover_steps import DATA_SNAPSHOT, pinned_data
from cutover.runbook.steps import Run
from tests.platform import REPO, run_gate, statuses

CHECK = "checks/p3_postmigration/test_pm003_data_unchanged.py"
MOVE_KEY = """SELECT 1;
UPDATE core.api_keys SET tenant_id = 'graz_test'
 WHERE (tenant_id, id) = (SELECT tenant_id, id FROM core.api_keys
                           WHERE tenant_id = 'wien_pilot' ORDER BY id LIMIT 1);
"""


@pytest.fixture
def migrated(make_platform, tmp_path):
    """A pre-cutover database, backed up into a bundle, then migrated to the repository head."""
    db = make_platform("pre")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    result = take_backup(db.url("solvereign_backup"), tmp_path / "backups")
    (bundle / "backup_manifest.json").write_text(json.dumps(result.bundle_doc()))
    migrate(db.url(), REPO / "migrations")
    return db, bundle


EVENT = ("INSERT INTO core.security_events (event_type, severity, tenant_id, details) "
         "VALUES ('LOGIN_FAILED', 'LOW', NULL, '{}')")


def _gate(db, bundle, migrations=None, **env_extra):
    env = db.env(**({"SOLVEREIGN_MIGRATIONS_DIR": str(migrations)} if migrations else {}),
                 **env_extra)
    return run_gate(db, CHECK, marker="postmigration", env=env,
                    extra=("--artifacts-dir", str(bundle)))


def _with(db, tmp_path, name: str, text: str):
    """The repository's migrations plus one more, applied by the runner (as the superuser:
    a careless author's file, run with the rights that let it touch every tenant)."""
    d = tmp_path / "m"
    shutil.copytree(REPO / "migrations", d)
    (d / name).write_text(text)
    migrate(db.url("postgres"), d)
    return d


def test_the_hardening_series_changes_no_row(migrated):
    db, bundle = migrated
    proc, result = _gate(db, bundle)
    assert statuses(result) == {"PM-003": "PASS"}, proc.stdout[-3000:]


def test_a_key_moved_to_another_tenant_fails_naming_table_and_tenants(migrated, tmp_path):
    db, bundle = migrated
    d = _with(db, tmp_path, "099_move_key.sql", MOVE_KEY)
    _, result = _gate(db, bundle, d)
    (check,) = result["checks"]
    assert check["status"] == "FAIL"
    assert "core.api_keys" in check["message"], check["message"]
    assert "graz_test" in check["message"] and "wien_pilot" in check["message"]
    (change,) = check["evidence"]["data"]["changes"]
    before_w, after_w = change["tenants"]["wien_pilot"]
    before_g, after_g = change["tenants"]["graz_test"]
    assert (after_w, after_g) == (before_w - 1, before_g + 1)


def test_a_declared_data_change_passes_and_is_listed(migrated, tmp_path):
    db, bundle = migrated
    d = _with(db, tmp_path, "099_move_key.sql",
              "-- cutover: changes-data core.api_keys\n" + MOVE_KEY)
    _, result = _gate(db, bundle, d)
    (check,) = result["checks"]
    assert check["status"] == "PASS", check["message"]
    assert check["evidence"]["data"]["changes"][0]["declared_by"] == "099_move_key"


def test_without_a_manifest_it_does_not_apply_without_the_backup_role_it_warns(migrated,
                                                                               tmp_path):
    db, bundle = migrated
    _, result = run_gate(db, CHECK, marker="postmigration",
                         extra=("--artifacts-dir", str(tmp_path)))
    assert statuses(result)["PM-003"] == "N/A"
    env = {k: v for k, v in db.env().items() if k != "SOLVEREIGN_BACKUP_DB_URL"}
    _, result = run_gate(db, CHECK, marker="postmigration", env=env,
                         extra=("--artifacts-dir", str(bundle)))
    assert statuses(result)["PM-003"] == "WARN"


def test_writes_made_beside_the_gate_after_the_snapshot_are_not_the_migrations(migrated,
                                                                              tmp_path):
    """The cutover runs the smoke gate beside this one, and its auth probes make the API log
    security events (some with no tenant). Read in the snapshot exported when the migrations
    ended, PM-003 passes; read live, the same event is a change it names, tenant '(null)'
    included, where a NULL tenant used to crash the gate's verdict writer."""
    db, bundle = migrated
    run = Run(tmp_path, db.url(), environ=db.env(), log=lambda _line: None)
    with pinned_data(run) as pinned:
        snapshot = pinned.environ[DATA_SNAPSHOT]
        with connect(db.url("postgres")) as conn:
            conn.execute(EVENT)
        _, result = _gate(db, bundle, **{DATA_SNAPSHOT: snapshot})
    (check,) = result["checks"]
    assert check["status"] == "PASS", check["message"]
    assert any(snapshot in n for n in check["evidence"]["notes"])
    _, result = _gate(db, bundle)
    (check,) = result["checks"]
    assert check["status"] == "FAIL" and "core.security_events" in check["message"]
    (change,) = check["evidence"]["data"]["changes"]
    assert change["tenants"]["(null)"][1] == change["tenants"]["(null)"][0] + 1


def test_a_snapshot_that_is_gone_fails_the_check_naming_it(migrated):
    db, bundle = migrated
    _, result = _gate(db, bundle, **{DATA_SNAPSHOT: "00000003-0000001B-1"})
    (check,) = result["checks"]
    assert check["status"] == "FAIL" and "snapshot" in check["message"], check["message"]


def test_a_snapshot_taken_before_a_migration_is_refused(migrated, tmp_path):
    """A snapshot held from before a migration would hide what the migration did to the
    rows: PM-003 refuses one that does not see the live ledger head, naming both heads."""
    db, bundle = migrated
    run = Run(tmp_path, db.url(), environ=db.env(), log=lambda _line: None)
    with pinned_data(run) as pinned:
        d = _with(db, tmp_path, "099_move_key.sql", MOVE_KEY)
        _, result = _gate(db, bundle, d, **{DATA_SNAPSHOT: pinned.environ[DATA_SNAPSHOT]})
    (check,) = result["checks"]
    assert check["status"] == "FAIL", check["message"]
    assert "sees ledger head 025h_verify_effective_access, the database is at 099_move_key" \
        in check["message"], check["message"]

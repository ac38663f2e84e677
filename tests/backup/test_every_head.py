"""A backup taken at ANY ledger head restores through `cutover rollback` (issue 20).

The rehearsal's drill and the other backup tests restore a backup taken at 024 only; a dump
of the hardened schema (025a and later) failed at pg_restore (`query would be affected by
row-level security policy for table "route_stops"` in the REFRESH of routing.mv_route_daily),
and a dump at 025 restored but the post-rollback gate insisted on 024.
"""

from __future__ import annotations

import json

import psycopg
import pytest

from cutover.backup.manifest import load as load_manifest
from cutover.migrate.files import default_directory, discover
from cutover.migrate.runner import RunnerOptions, migrate
from cutover.rollback.verify import verify_database
from tests.backup.conftest import cli, query, writes_disabled
from tests.backup.test_rollback import take_backup

HEADS = ["024", *[m.version for m in discover(default_directory()) if m.version >= "025"]]


@pytest.mark.parametrize("head", HEADS)
def test_a_backup_at_every_head_restores_through_the_rollback(pre_db, head: str) -> None:
    if head != "024":
        migrate(pre_db.url("solvereign_migrator"), default_directory(),
                RunnerOptions(target=head))
    dump = take_backup(pre_db)  # includes the restore check into a scratch database
    manifest = load_manifest(dump)
    assert manifest.ledger_head.split("_")[0] == head
    assert manifest.doc["restore_check"]["checks"], "the backup proved that it restores"
    # the cutover goes on: every remaining file, and a write afterwards
    migrate(pre_db.url("solvereign_migrator"), default_directory(), RunnerOptions())
    with psycopg.connect(pre_db.url("postgres"), autocommit=True) as conn:
        conn.execute("INSERT INTO core.security_events (event_type, severity, details)"
                     " VALUES ('POST_CUTOVER', 'INFO', '{}')")

    artifacts = pre_db.workdir / "rollback"
    proc = cli(pre_db, "rollback", "--backup", str(dump), "--artifacts-dir", str(artifacts))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "ROLLBACK STATUS: SUCCESS"
    gate = json.loads((artifacts / "postrollback_result.json").read_text())
    statuses = {c["check_id"]: c["status"] for c in gate["checks"]}
    assert gate["verdict"] == "PASS" and statuses["PR-001"] == statuses["PF-003"] == "PASS"
    checks = verify_database(pre_db.url("postgres"), manifest, content=True)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert query(pre_db.url("postgres"), "SELECT count(*) FROM core.security_events"
                 " WHERE event_type = 'POST_CUTOVER'") == [(0,)]
    assert not writes_disabled(pre_db)
    views = {n: f["rows"] for n, f in manifest.tables.items() if f["kind"] == "m"}
    if head in ("024", "025") or head >= "025g":  # 025a..025f: the owner is blind (PM-052)
        for name, rows in views.items():
            assert query(pre_db.url("postgres"), f"SELECT count(*) FROM {name}") == [(rows,)]

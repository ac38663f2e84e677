"""PM-003: the migrations changed no row the backup recorded, except declared ones.

The hardening series changes no data, and writes are frozen from the backup on: every
table must still hold the rows (count and content checksum) the backup manifest recorded.
A migration that moves an API key to another tenant leaves the catalog as reviewed and
passes every catalog check; here it fails, naming the table and the tenants whose rows
changed. A data-changing migration declares what it changes (`-- cutover: changes-data
core.api_keys`); declared changes are listed in the evidence for the approver.
It runs first among the postmigration checks (the API probes after it may write nonces).
Where the cutover runs the smoke gate beside this one, it hands over a snapshot exported when
the migrations ended (SOLVEREIGN_DATA_SNAPSHOT), and the comparison reads that snapshot: the
nonces and security events the smoke gate's probes make the API write are not the
migrations' doing.
"""

import json
from pathlib import Path

import psycopg
import pytest

from cutover.approval import datadrift
from cutover.backup import facts
from cutover.backup import manifest as backup_manifest
from cutover.errors import CutoverError
from cutover.migrate.files import default_directory, discover
from cutover.pg import pinned

pytestmark = [pytest.mark.postmigration, pytest.mark.security]
BACKUP_URL = "SOLVEREIGN_BACKUP_DB_URL"
SNAPSHOT = "SOLVEREIGN_DATA_SNAPSHOT"


def _manifest(target) -> backup_manifest.Manifest | None:
    """--backup-manifest, else the bundle's backup_manifest.json (the dump beside its path)."""
    if target.backup_manifest is not None:
        return backup_manifest.load(target.backup_manifest)
    path = Path(target.artifacts_dir) / "backup_manifest.json"
    if not path.exists():
        return None
    doc = json.loads(path.read_text())
    dump = Path(doc.get("path") or path)
    return backup_manifest.validate(backup_manifest.manifest_path(dump), doc)


@pytest.mark.check(id="PM-003", severity="blocker", runbook="§3.2",
                   remediation="Find the migration that changed these rows; restore them or "
                               "declare the change (`-- cutover: changes-data <table>`) and "
                               "have it reviewed; never approve an undeclared data change.")
def test_pm003_data_unchanged_since_the_backup(target, evidence):
    """No table's rows differ from the backup manifest, except declared changes."""
    try:
        manifest = _manifest(target)
    except (CutoverError, ValueError) as exc:
        pytest.fail(f"backup manifest unreadable: {exc}", pytrace=False)
    if manifest is None:  # no backup in this run (a gate outside the cutover)
        pytest.skip("not applicable: no backup manifest (--backup-manifest or "
                    "DIR/backup_manifest.json) to compare the data with")
    url = target.setting(BACKUP_URL)
    if not url:
        pytest.skip(f"not verified: {BACKUP_URL} is not set (the backup role reads every row)")
    declared = datadrift.declared(discover(default_directory()), manifest.ledger_head)
    try:
        with pinned.connect_pinned(url, "cutover-gate-pm003") as conn:
            facts.prepare_session(conn)
            snapshot = target.setting(SNAPSHOT)
            datadrift.read_snapshot(conn, snapshot)
            if snapshot:
                evidence.note(f"read in snapshot {snapshot}, exported when the migrations "
                              "ended (the gates beside this one may write nonces and events)")
            ident, _ = facts.identity(conn)
            if ident != manifest.identity:
                pytest.fail(f"the backup manifest is of {manifest.identity.describe()}, the "
                            f"gate judges {ident.describe()}", pytrace=False)
            changes = datadrift.compare(conn, manifest)
            tenant_tables = datadrift.tenant_tables(conn)
            major = int(conn.info.server_version) // 10000
            for c in changes:
                if c.table in tenant_tables and c.rows_after is not None:
                    schema, rel = tenant_tables[c.table]
                    now = datadrift.tenant_counts_now(conn, schema, rel)
                    before = datadrift.tenant_counts_in_dump(manifest.dump_path, schema, rel,
                                                             major)
                    if before is None:
                        evidence.note(f"{c.table}: per-tenant rows before not readable "
                                      "from the dump")
                        before = now
                    c.tenants = {t: (before.get(t, 0), now.get(t, 0))
                                 for t in set(before) | set(now)}
                c.declared_by = declared.get(c.table)
    except psycopg.Error as exc:
        pytest.fail(f"data comparison failed: {str(exc).strip().splitlines()[0]}",
                    pytrace=False)
    except CutoverError as exc:
        pytest.fail(f"data comparison refused: {exc}", pytrace=False)
    evidence.data["changes"] = [{"table": c.table, "rows_before": c.rows_before,
                                 "rows_after": c.rows_after, "declared_by": c.declared_by,
                                 "tenants": {t: list(v) for t, v in c.tenants.items()}}
                                for c in changes]
    evidence.data["declared"] = declared
    undeclared = [c for c in changes if c.declared_by is None]
    evidence.offenders = [c.table for c in undeclared]
    assert not undeclared, (f"{len(undeclared)} tables changed since the backup, undeclared: "
                            + "; ".join(c.describe() for c in undeclared))

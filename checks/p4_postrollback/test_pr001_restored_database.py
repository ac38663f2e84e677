"""PR-001: the live database is the one the backup describes (runbook §9.2).

The rollback verifies its own restore; this check judges the result independently, from the
catalogs and the backup's manifest only, before writes come back.
"""

import pytest

from cutover.backup import facts
from cutover.backup.manifest import load
from cutover.errors import ConfigError

pytestmark = [pytest.mark.postrollback, pytest.mark.security]


@pytest.mark.dependency(name="PR-001", depends=["PF-001"], scope="session")
@pytest.mark.check(id="PR-001", severity="blocker", runbook="§9.2",
                   remediation="Do not enable writes: roll back again from the manifest's "
                               "dump, or restore by hand and compare with the manifest.")
def test_pr001_live_database_is_the_backup(target, gate_db, evidence):
    """Same server, same database, same ledger head, same ownership/privileges/RLS."""
    if target.backup_manifest is None:
        pytest.skip("not verified: no backup manifest given (--backup-manifest / "
                    "SOLVEREIGN_BACKUP_MANIFEST)")
    try:
        manifest = load(target.backup_manifest)
    except ConfigError as exc:
        pytest.fail(str(exc), pytrace=False)
    ident, _ = facts.identity(gate_db)
    head = facts.ledger_head(gate_db)
    lines = facts.fingerprint(gate_db)
    problems = []
    if ident != manifest.identity:
        problems.append(f"database {ident.name} on system {ident.system_identifier} is not "
                        f"the backup's {manifest.identity.name} on system "
                        f"{manifest.identity.system_identifier}")
    if head != manifest.ledger_head:
        problems.append(f"ledger head is {head}, the backup's is {manifest.ledger_head}")
    problems += [f"fingerprint {d}" for d in facts.fingerprint_diff(manifest.fingerprint,
                                                                      lines)]
    evidence.data.update(manifest=str(manifest.path), dump_sha256=manifest.sha256,
                         ledger_head=head, fingerprint_sha256=facts.fingerprint_sha256(lines),
                         backup_fingerprint_sha256=facts.fingerprint_sha256(
                             manifest.fingerprint))
    evidence.offenders = problems
    assert not problems, "; ".join(problems[:20])

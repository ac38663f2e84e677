"""A sealed evidence bundle whose artifacts name a real database (issue 24.1 tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cutover.approval import binding
from cutover.evidence import bundle
from tests.evidence.keys import key, key_env
from tests.platform import PlatformDB
from tests.report.test_evidence_report import _bundle

FROM_HEAD = "024_table_classification"


def edit(folder: Path, name: str, change) -> None:
    """Apply `change(doc)` to one JSON artifact."""
    path = folder / name
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def bound_bundle(folder: Path, db: PlatformDB) -> tuple[Path, binding.Binding]:
    """The report tests' passing bundle, every artifact naming `db` as the runbook's steps
    and the gate now record it; sealed."""
    _bundle(folder)
    live = binding.read_url(db.url())
    full = live.as_dict()
    pre = {**full, "ledger_head": FROM_HEAD}
    for name in ("security_gate_result.json", "preflight_result.json"):
        value = pre if name.startswith("preflight") else full
        edit(folder, name, lambda d, v=value: d.update(
            target={"endpoint": "x", "env": "development", "database": v, "database_after": v}))
    edit(folder, "migration_log.json", lambda d: d.update(from_head=FROM_HEAD, target=full))
    edit(folder, "verify_hardening.json", lambda d: d.update(target=full, target_after=full))
    for name in ("acl_scan_report.json", "roster_dry_run.json"):
        edit(folder, name, lambda d: d.update(target=full))
    edit(folder, "backup_manifest.json", lambda d: d.update(
        database={"system_identifier": live.system_identifier, "name": live.database},
        ledger_head=FROM_HEAD))
    bundle.seal(folder, key())
    return folder, live


def cli(*args: str, db: PlatformDB | None = None, **env: str) -> subprocess.CompletedProcess:
    """The `cutover` command with the test key (and the database's settings, if given)."""
    base = db.env() if db else {k: v for k, v in os.environ.items()
                                 if not k.startswith("SOLVEREIGN_")}
    base.update(key_env())
    return subprocess.run([sys.executable, "-m", "cutover.cli", *args], capture_output=True,
                          text=True, env={**base, **env}, timeout=120, check=False)

"""`cutover watch --auto-rollback` against the sandbox: an S1 trigger rolls the cutover
back to the pre-cutover head with writes on again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from cutover.approval import lkg
from cutover.backup.dump import take_backup
from cutover.configstore import WRITES_DISABLED_KEY, open_store
from cutover.migrate.files import default_directory
from cutover.migrate.ledger import head
from cutover.migrate.runner import migrate
from tests.api.test_chaos_watch import Traffic

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_auto_rollback_restores_the_pre_cutover_head_with_writes_on(tmp_path):
    from sandbox import api_server, manage

    root = Path(tempfile.mkdtemp(prefix="solvereign-test-autorollback-"))
    state = manage.up(root, at="pre")
    try:
        pre_head = "024_table_classification"
        dump = take_backup(state.url("solvereign_backup"), root / "backups").dump
        migrate(state.url("solvereign_migrator"), default_directory())
        env = {**os.environ, **state.environment(),
               "SOLVEREIGN_LKG_FILE": str(root / "lkg.json")}
        lkg.write(lkg.LastKnownGood(
            rollback_sha="0" * 40, rc_tag="test", timestamp=datetime.now(UTC).isoformat(),
            ledger_head=pre_head, backup={"path": str(dump), "sha256": "0" * 64},
            evidence_bundle={"path": str(root), "summary_sha256": "0" * 64}),
            Path(env["SOLVEREIGN_LKG_FILE"]))
        state.extra.update(api_server.probe_settings(state))
        faulty = {**api_server.api_environment(state), "SOLVEREIGN_SANDBOX_ERROR_RATE": "0.5"}
        state.api_url, state.api_pid = api_server.launch(state, env=faulty, reuse=False)
        state.save()
        log = tmp_path / "watch.jsonl"
        with Traffic(state.api_url, state.extra["SOLVEREIGN_PROBE_API_KEY_A"]):
            proc = subprocess.run(
                [sys.executable, "-m", "cutover.cli", "watch", "--api-url", state.api_url,
                 "--once", "--window", "1", "--interval", "0.3", "--auto-rollback",
                 "--log", str(log)], capture_output=True, text=True, env=env, cwd=REPO,
                timeout=300, check=False)
        assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
        events = {r.get("event"): r for r in map(json.loads, log.read_text().splitlines())}
        assert "error_rate" in events["auto_rollback"]["reason"]
        assert events["auto_rollback_done"]["exit_code"] == 0, proc.stdout[-3000:]
        with psycopg.connect(state.url("solvereign_migrator")) as conn:
            assert head(conn) == pre_head
        with open_store(env) as store:
            assert store.get_flag(WRITES_DISABLED_KEY).value is False
    finally:
        manage.down(root)

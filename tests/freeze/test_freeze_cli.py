"""Freeze/enable on the command line: store handling, records, refusals (no application)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

from cutover.configstore import WRITES_DISABLED_KEY, LocalConfigStore


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    return subprocess.run([sys.executable, "-m", "cutover.cli", *args], capture_output=True,
                          text=True, env={**base, **env}, timeout=60, check=False)


def test_freeze_and_enable_without_application(tmp_path):
    store = tmp_path / "store.json"
    proc = _run("freeze", "--no-verify", "--artifacts-dir", str(tmp_path / "a"),
                SOLVEREIGN_CONFIG_STORE_FILE=str(store))
    assert proc.returncode == 0 and "WRITES FROZEN (not verified)" in proc.stdout
    assert LocalConfigStore(store).get_flag(WRITES_DISABLED_KEY).value is True
    record = json.loads((tmp_path / "a" / "freeze_record.json").read_text())
    assert record["writes_disabled"] is True and record["verified"] is False
    proc = _run("enable", "--no-verify", "--override-approval", "test of the switch",
                SOLVEREIGN_CONFIG_STORE_FILE=str(store))
    assert proc.returncode == 0
    assert LocalConfigStore(store).get_flag(WRITES_DISABLED_KEY).value is False


def test_unreachable_store_changes_nothing(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    secret = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"
    proc = _run("freeze", "--no-verify", "--artifacts-dir", str(tmp_path / "a"),
                SOLVEREIGN_APPCONFIG_CONNECTION_STRING=f"Endpoint=http://127.0.0.1:{port};"
                f"Id=x;Secret={secret}")
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert secret not in proc.stderr + proc.stdout
    assert not (tmp_path / "a").exists()


def test_verify_without_an_application_is_refused(tmp_path):
    proc = _run("freeze", SOLVEREIGN_CONFIG_STORE_FILE=str(tmp_path / "s.json"))
    assert proc.returncode == 1 and "no API URL to prove the switch through" in proc.stderr

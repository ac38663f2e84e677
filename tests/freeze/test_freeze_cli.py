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
    assert proc.returncode == 0 and "WRITES FROZEN (not verified: --no-verify" in proc.stdout
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


def _store_with_writes_enabled(tmp_path) -> tuple[object, bytes]:
    """A store whose flag says writes enabled, and its bytes (to prove nothing changed)."""
    store = tmp_path / "store.json"
    with LocalConfigStore(store) as s:
        s.set_flag(WRITES_DISABLED_KEY, False)
    return store, store.read_bytes()


def _refused(proc: subprocess.CompletedProcess, *naming: str,
             untouched: str = "the flag was not changed") -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert all(name in lines[0] for name in naming), lines[0]
    assert untouched in lines[0]
    assert "WRITES" not in proc.stdout and "set in" not in proc.stdout


def test_freeze_without_an_api_url_refuses_before_setting_the_flag(tmp_path):
    store, before = _store_with_writes_enabled(tmp_path)
    proc = _run("freeze", "--artifacts-dir", str(tmp_path / "a"),
                SOLVEREIGN_CONFIG_STORE_FILE=str(store), SOLVEREIGN_PROBE_API_KEY_A="k")
    _refused(proc, "cannot prove the freeze", "--api-url", "SOLVEREIGN_API_URL", "--no-verify")
    assert store.read_bytes() == before
    assert not (tmp_path / "a" / "freeze_record.json").exists()


def test_freeze_without_the_probe_key_refuses_before_setting_the_flag(tmp_path):
    """The proof is a real client's write: without its API key the application answers 401
    and the proof could only time out after the flag moved."""
    store, before = _store_with_writes_enabled(tmp_path)
    proc = _run("freeze", "--api-url", "http://127.0.0.1:9",
                SOLVEREIGN_CONFIG_STORE_FILE=str(store))
    _refused(proc, "cannot prove the freeze", "SOLVEREIGN_PROBE_API_KEY_A")
    assert store.read_bytes() == before


def test_enable_without_an_api_url_refuses_before_setting_the_flag(tmp_path):
    store = tmp_path / "store.json"
    with LocalConfigStore(store) as s:
        s.set_flag(WRITES_DISABLED_KEY, True)
    before = store.read_bytes()
    proc = _run("enable", "--override-approval", "test", "--artifacts-dir", str(tmp_path / "a"),
                SOLVEREIGN_CONFIG_STORE_FILE=str(store), SOLVEREIGN_PROBE_API_KEY_A="k")
    _refused(proc, "cannot prove the enable", "SOLVEREIGN_API_URL")
    assert store.read_bytes() == before
    assert not (tmp_path / "a" / "enable_record.json").exists()


def test_enable_into_a_sealed_bundle_without_the_signing_key_refuses_first(tmp_path):
    """Enable records its approval in the bundle and re-seals it; without the key the bundle
    would stop verifying after writes came back."""
    from cutover.evidence import bundle, keys

    secret, _public = keys.generate(tmp_path / "keys")
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "preflight_result.json").write_text("{}")
    bundle.seal(folder, keys.load_private(secret))
    sealed = {p.name: p.read_bytes() for p in folder.iterdir()}
    store = tmp_path / "store.json"
    with LocalConfigStore(store) as s:
        s.set_flag(WRITES_DISABLED_KEY, True)
    before = store.read_bytes()
    proc = _run("enable", "--no-verify", "--override-approval", "test", "--artifacts-dir",
                str(folder), SOLVEREIGN_CONFIG_STORE_FILE=str(store))
    _refused(proc, "enable writes into the sealed bundle", "SOLVEREIGN_EVIDENCE_SIGNING_KEY",
             str(folder), untouched="nothing was changed")
    assert store.read_bytes() == before
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == sealed


def test_no_verify_says_the_proof_was_skipped_and_why(tmp_path):
    proc = _run("freeze", "--no-verify", "--artifacts-dir", str(tmp_path / "a"),
                SOLVEREIGN_CONFIG_STORE_FILE=str(tmp_path / "s.json"))
    assert proc.returncode == 0, proc.stderr
    assert "proof skipped (--no-verify): nothing checked that the application follows the " \
           "flag" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == \
        "WRITES FROZEN (not verified: --no-verify, the application was not asked)"
    record = json.loads((tmp_path / "a" / "freeze_record.json").read_text())
    assert record["verified"] is False and "proof skipped (--no-verify)" in record["notes"][0]

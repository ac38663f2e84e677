"""The commands that act refuse before acting when a setting they need is missing (issue
21.7's audit): exit 2, one line naming the setting, nothing written. freeze/enable are in
tests/freeze/test_freeze_cli.py, `watch --on-trigger rollback` in tests/watch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cutover.backup import manifest
from cutover.evidence import bundle, keys

UNREACHABLE = "postgresql://u:pw@127.0.0.1:9/solvereign"  # never connected to


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    return subprocess.run([sys.executable, "-m", "cutover.cli", *args], capture_output=True,
                          text=True, env={**base, **env}, timeout=60, check=False)


def _refused(proc: subprocess.CompletedProcess, *naming: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert all(name in lines[0] for name in naming), lines[0]


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def sealed(tmp_path) -> tuple[Path, Path]:
    """A sealed bundle and the signing key's path (kept outside it)."""
    secret, _ = keys.generate(tmp_path / "keys")
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "preflight_result.json").write_text('{"verdict": "PASS"}')
    bundle.seal(folder, keys.load_private(secret))
    return folder, secret


def test_approve_without_the_signing_key_writes_nothing(sealed):
    folder, _ = sealed
    before = _files(folder)
    proc = _run("approve", "--artifacts-dir", str(folder), "--approver", "Jane Doe")
    _refused(proc, keys.SIGNING_KEY_VAR)
    assert _files(folder) == before


@pytest.mark.parametrize("with_key, naming", [
    (False, keys.SIGNING_KEY_VAR),
    (True, "SOLVEREIGN_DB_URL is not set"),  # the live database must be re-read first
])
def test_last_known_good_without_its_settings_writes_nothing(sealed, tmp_path, with_key,
                                                             naming):
    folder, secret = sealed
    before = _files(folder)
    extra = {keys.SIGNING_KEY_VAR: str(secret)} if with_key else {}
    proc = _run("last-known-good", "--artifacts-dir", str(folder), "--lkg-file",
                str(tmp_path / "lkg.json"), **extra)
    _refused(proc, naming)
    assert _files(folder) == before and not (tmp_path / "lkg.json").exists()


def test_backup_without_the_admin_url_takes_no_dump(tmp_path):
    proc = _run("backup", "--db-url", UNREACHABLE, "--out", str(tmp_path / "backups"))
    _refused(proc, "SOLVEREIGN_ADMIN_DB_URL is not set", "--admin-url")
    assert not (tmp_path / "backups").exists()


def test_rollback_without_the_admin_url_captures_and_changes_nothing(tmp_path):
    proc = _run("rollback", "--backup", str(tmp_path / "x.dump"), "--artifacts-dir",
                str(tmp_path / "incident"), SOLVEREIGN_DB_URL=UNREACHABLE)
    _refused(proc, "SOLVEREIGN_ADMIN_DB_URL is not set")
    assert not (tmp_path / "incident").exists()


def test_backup_into_a_sealed_bundle_without_the_key_takes_no_dump(sealed, tmp_path):
    """Issue 21.7: the dump was taken, then the bundle left unverifiable ("not re-sealed")."""
    folder, _ = sealed
    before = _files(folder)
    proc = _run("backup", "--db-url", UNREACHABLE, "--admin-url", UNREACHABLE, "--out",
                str(tmp_path / "backups"), "--artifacts-dir", str(folder))
    _refused(proc, "sealed bundle", str(folder), keys.SIGNING_KEY_VAR)
    assert not (tmp_path / "backups").exists() and _files(folder) == before
    assert "BACKUP STATUS" not in proc.stdout


def _backup(folder: Path, *, server_version_num: str = "160000", dump: bool = True) -> Path:
    """A well-formed manifest (and, if asked, its dump file): what the rollback plans with."""
    folder.mkdir()
    doc = {"format": manifest.FORMAT, "ledger_head": None, "snapshot": {}, "counters": {},
           "dump": {"file": "pre.dump", "sha256": "0" * 64, "size_bytes": 0},
           "database": {"system_identifier": "1", "name": "solvereign", "owner": "o",
                        "encoding": "UTF8", "acl": [], "settings": [],
                        "server_version_num": server_version_num},
           "tables": {}, "fingerprint": {"lines": []}}
    (folder / "pre.manifest.json").write_text(json.dumps(doc))
    if dump:
        (folder / "pre.dump").write_bytes(b"")
    return folder / "pre.dump"


@pytest.mark.parametrize("case, naming", [
    ("no dump file", "pre.dump named by"),
    ("no pg_restore as new as the server", "pg_restore"),
])
def test_rollback_plans_before_it_captures_evidence(tmp_path, case, naming):
    """Issue 21.7: the incident's evidence was captured (a folder written, the database
    read) before the planning step found the dump or pg_restore missing."""
    dump = _backup(tmp_path / "backups", dump=case != "no dump file",
                   server_version_num="990000" if "pg_restore" in case else "160000")
    proc = _run("rollback", "--backup", str(dump), "--artifacts-dir",
                str(tmp_path / "incident"), SOLVEREIGN_DB_URL=UNREACHABLE,
                SOLVEREIGN_ADMIN_DB_URL=UNREACHABLE,
                SOLVEREIGN_LKG_FILE=str(tmp_path / "lkg.json"))
    _refused(proc, naming)
    assert not (tmp_path / "incident").exists()
    assert "ROLLBACK STATUS" not in proc.stdout


SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.mark.parametrize("script, args", [
    ("ci/security_gate.py", []),
    ("ci/wien_roster_gate.py", ["--dry-run"]),
    ("run_sick_call_drill.py", ["--dry-run", "--tenant", "wien_pilot", "--absent-drivers",
                                "DRV001"]),
])
def test_scripts_that_add_to_a_sealed_bundle_refuse_without_the_key(sealed, script, args):
    """The gate and drill scripts re-seal the bundle they write into: without the key the
    bundle would stop verifying after the gate ran, so they refuse before running it."""
    folder, _ = sealed
    before = _files(folder)
    base = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    proc = subprocess.run([sys.executable, str(SCRIPTS / script), "--db-url", UNREACHABLE,
                           "--artifacts-dir", str(folder), *args], capture_output=True,
                          text=True, env=base, timeout=60, check=False)
    _refused(proc, "sealed bundle", str(folder), keys.SIGNING_KEY_VAR)
    assert _files(folder) == before

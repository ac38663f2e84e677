"""`--pg-bin DIR` / SOLVEREIGN_PG_BIN: the sandbox on another PostgreSQL's binaries.

Bad input is one line naming the folder, exit 2, and nothing created; a cluster keeps the
binaries it was made with; a sandbox on Debian's PostgreSQL 15 runs and exports its own
client tools.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from cutover.errors import ConfigError
from cutover.pg.embedded import SERVER_TOOLS, EmbeddedCluster

REPO = Path(__file__).resolve().parents[2]
DEBIAN_15 = Path("/usr/lib/postgresql/15/bin")


def _cutover(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "SOLVEREIGN_PG_BIN"}
    return subprocess.run([sys.executable, "-m", "cutover.cli", *args], cwd=REPO,
                          env={**base, **(env or {})}, capture_output=True, text=True,
                          timeout=300, check=False)


def _fake_bin(folder: Path, *, mode: int = 0o755, skip: tuple[str, ...] = ()) -> Path:
    """A folder holding files named like the server's tools (never run)."""
    folder.mkdir()
    for tool in SERVER_TOOLS:
        if tool not in skip:
            (folder / tool).write_text("#!/bin/sh\nexit 1\n")
            (folder / tool).chmod(mode)
    return folder


@pytest.mark.parametrize("command", [["sandbox", "up"], ["rehearse"]])
@pytest.mark.parametrize(("make", "says"), [
    (lambda tmp: tmp / "nowhere", "no such directory"),
    (lambda tmp: _fake_bin(tmp / "half", skip=("initdb", "pg_restore")),
     "lacks initdb, pg_restore"),
    (lambda tmp: _fake_bin(tmp / "noexec", mode=0o644), "initdb is not executable"),
], ids=["missing", "lacking binaries", "not executable"])
def test_bad_pg_bin_is_one_line_exit_2_and_nothing_made(tmp_path, command, make, says):
    folder = make(tmp_path)
    data = tmp_path / "sandbox"
    proc = _cutover(*command, "--pg-bin", str(folder), "--data-dir", str(data))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert f"--pg-bin {folder}" in lines[0] and says in lines[0], lines[0]
    assert not data.exists()


def test_bad_solvereign_pg_bin_is_named(tmp_path):
    proc = _cutover("sandbox", "up", "--data-dir", str(tmp_path / "sandbox"),
                    env={"SOLVEREIGN_PG_BIN": str(tmp_path / "nowhere")})
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"cutover: error: SOLVEREIGN_PG_BIN {tmp_path / 'nowhere'}:"
                                   " no such directory")


def test_a_cluster_keeps_the_binaries_it_was_made_with(pg_cluster, tmp_path):
    """Asking a running cluster for other binaries is refused, never a mixed-major start."""
    if not isinstance(pg_cluster, EmbeddedCluster):
        pytest.skip("the session cluster is an external server (SOLVEREIGN_TEST_ADMIN_URL)")
    other = _fake_bin(tmp_path / "other")
    with pytest.raises(ConfigError, match=r"was made with .* not .*other; run `cutover "
                                          r"sandbox down` first"):
        EmbeddedCluster(pg_cluster.root, bin_dir=other)
    assert EmbeddedCluster(pg_cluster.root).bin == pg_cluster.bin  # remembered


@pytest.mark.skipif(not (DEBIAN_15 / "postgres").exists(),
                    reason="Debian's PostgreSQL 15 is not installed (apt-get install "
                           "postgresql-15)")
def test_sandbox_runs_on_debian_15_and_exports_its_tools():
    # not under pytest's basetemp: another pytest session re-tightens it to 0700 and would
    # lock the server's user out of its data directory (tests/conftest.py)
    data = Path(tempfile.mkdtemp(prefix="solvereign-pg15-")) / "sandbox"
    try:
        up = _cutover("sandbox", "up", "--pg-bin", str(DEBIAN_15), "--data-dir", str(data))
        assert up.returncode == 0, up.stderr[-2000:]
        assert f"export SOLVEREIGN_PG_BIN={DEBIAN_15}" in up.stdout.splitlines()
        status = _cutover("sandbox", "status", "--data-dir", str(data))
        assert "(PostgreSQL 15." in status.stdout, status.stdout
        again = _cutover("sandbox", "up", "--data-dir", str(data),  # the folder is remembered
                         env={"SOLVEREIGN_PG_BIN": str(DEBIAN_15)})
        assert again.returncode == 0, again.stderr[-2000:]
    finally:
        _cutover("sandbox", "down", "--data-dir", str(data))
        data.parent.rmdir()

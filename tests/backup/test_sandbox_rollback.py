"""The README's own rollback on the README's sandbox (issue 20): `cutover sandbox up --at pre
--with-api` exports a working redeploy hook, so `cutover rollback` restarts the API on the
restored database and the post-rollback gate (FZ-001 through the API included) passes."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _cutover(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cutover.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def _exports(text: str) -> dict[str, str]:
    """What `eval "$(cutover sandbox up ...)"` would set."""
    out = {}
    for line in text.splitlines():
        if line.startswith("export "):
            (pair,) = shlex.split(line[len("export "):])
            key, _, value = pair.partition("=")
            out[key] = value
    return out


@pytest.mark.slow
def test_readme_rollback_on_the_readme_sandbox(tmp_path):
    import os

    root = Path(tempfile.mkdtemp(prefix="solvereign-test-readme-rollback-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    base["SOLVEREIGN_LKG_FILE"] = str(tmp_path / "lkg.json")
    up = _cutover(base, "sandbox", "up", "--at", "pre", "--with-api", "--data-dir", str(root))
    try:
        assert up.returncode == 0, up.stderr[-2000:]
        env = {**base, **_exports(up.stdout)}
        assert "sandbox redeploy" in env["SOLVEREIGN_REDEPLOY_COMMAND"]
        for step in (("freeze",), ("backup", "--out", str(tmp_path / "backups")),
                     ("migrate",)):
            proc = _cutover(env, *step)
            assert proc.returncode == 0, (step, proc.stdout[-2000:], proc.stderr[-2000:])
        dump = sorted((tmp_path / "backups").glob("*.dump"))[-1]
        artifacts = tmp_path / "rollback"
        # without the hook the API keeps the swapped-out database: the gate says so
        first = _cutover({**env, "SOLVEREIGN_REDEPLOY_COMMAND": ""}, "rollback", "--backup",
                         str(dump), "--artifacts-dir", str(tmp_path / "first"), timeout=600)
        assert first.returncode == 1, first.stdout[-3000:]
        assert "no redeploy hook configured" in first.stdout
        assert "cannot reach its database" in first.stdout, first.stdout[-3000:]
        assert "check SOLVEREIGN_PROBE_PLATFORM_EMAIL" not in first.stdout
        # the re-run (the first one swapped already: it must not swap again) redeploys
        proc = _cutover(env, "rollback", "--backup", str(dump), "--artifacts-dir",
                        str(artifacts), timeout=600)
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
        assert "sandbox API restarted at" in proc.stdout
        assert "already is the restore of this backup" in proc.stdout
        gate = json.loads((artifacts / "postrollback_result.json").read_text())
        statuses = {c["check_id"]: c["status"] for c in gate["checks"]}
        assert statuses["FZ-001"] == "PASS" and statuses["PR-001"] == "PASS", statuses
    finally:
        _cutover(base, "sandbox", "down", "--data-dir", str(root))

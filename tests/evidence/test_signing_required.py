"""A production cutover does not start unsigned, and the API's HMAC secret does not count."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from cutover.evidence import keys

REPO = Path(__file__).resolve().parents[2]


def test_prod_cutover_refuses_to_start_without_the_signing_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    env["SOLVEREIGN_HMAC_SECRET"] = "h" * 40  # the API's secret is no evidence key
    artifacts = tmp_path / "a"
    proc = subprocess.run([str(REPO / "scripts" / "prod_cutover.sh"), "--db-url",
                           "postgresql://u:pw@127.0.0.1:1/db", "--rc-tag", "v1",
                           "--artifacts-dir", str(artifacts)],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{keys.SIGNING_KEY_VAR} is not set" in proc.stderr
    assert "Traceback" not in proc.stderr and not artifacts.exists()  # nothing started

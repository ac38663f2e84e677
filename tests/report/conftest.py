"""A real rehearsal's evidence bundle, made once per session for the tests that read it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def rehearsal_bundle(tmp_path_factory) -> Path:
    """`cutover rehearse` once, as a user runs it; the sealed bundle's folder."""
    out = tmp_path_factory.mktemp("rehearsal") / "artifacts"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    proc = subprocess.run([sys.executable, "-m", "cutover.cli", "rehearse", "--artifacts-dir",
                           str(out)], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=1800, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    (bundle,) = out.glob("prod_cutover_*")
    return bundle

"""Running a gate phase as a command: pytest in a subprocess, verdict from its JSON.

The scripts (`prod_preflight_check.py`, `ci/security_gate.sh`, ...) are thin wrappers
over `run_phase`, so every phase writes its runbook artifact the same way and no
pytest exit code (2 = interrupted!) is ever mistaken for a verdict.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from cutover.errors import EXIT_CRASH

REPO = Path(__file__).resolve().parents[2]
# Gate options and environment variables that hold paths: the caller's, made absolute.
PATH_OPTIONS = ("--artifacts-dir", "--waivers", "--backup-manifest")
PATH_VARIABLES = ("SOLVEREIGN_ARTIFACTS_DIR", "SOLVEREIGN_WAIVERS", "SOLVEREIGN_BACKUP_MANIFEST")


def _absolute(extra: list[str], environ: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """Resolve path arguments against the caller's working directory, not the repository."""
    args = list(extra)
    for i, arg in enumerate(args[:-1]):
        if arg in PATH_OPTIONS:
            args[i + 1] = str(Path(args[i + 1]).resolve())
    env = dict(environ)
    for name in PATH_VARIABLES:
        if env.get(name):
            env[name] = str(Path(env[name]).resolve())
    return args, env


def run_phase(marker: str, paths: list[str], result_file: Path, *,
              db_url: str | None = None, env_name: str | None = None,
              extra: list[str] | None = None, quiet: bool = False,
              environ: Mapping[str, str] | None = None) -> tuple[str | None, int]:
    """Run the checks; return (verdict or None if the gate itself failed, pytest's code).

    pytest runs from the repository, so every path is made absolute first: a relative
    --artifacts-dir means the caller's working directory, not the repository.
    """
    result_file = Path(result_file).resolve()
    result_file.parent.mkdir(parents=True, exist_ok=True)
    result_file.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "pytest", *paths, "-m", marker, "--gate-result",
           str(result_file), "-q", "--no-header", "-p", "no:cacheprovider"]
    if db_url:
        cmd += ["--db-url", db_url]
    if env_name:
        cmd += ["--env", env_name]
    args, env = _absolute(extra or [], os.environ if environ is None else environ)
    cmd += args
    proc = subprocess.run(cmd, cwd=REPO, env=env, check=False,
                          capture_output=quiet, text=True)
    if not result_file.exists():
        return None, proc.returncode
    return json.loads(result_file.read_text())["verdict"], proc.returncode


def crash(message: str) -> int:
    """The gate could not run: say so distinctly (exit 3), never as a verdict."""
    print(f"gate error: {message}", file=sys.stderr)
    return EXIT_CRASH

"""Running the platform's solver as a command, never as an import.

The gate knows the platform only through configuration: SOLVEREIGN_SOLVER_COMMAND names
the solver (default: the sandbox's, `python -m sandbox.solver`), which takes the
interchange files of docs/artifacts.md. Each run is its own process, so two runs agreeing
to the byte says something about determinism across processes, not within one.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from cutover.errors import ConfigError, CutoverError

TIMEOUT = 600


class SolverFailed(CutoverError):
    """The solver exited non-zero or wrote nothing usable (exit 1 in the gates)."""

    exit_code = 1


def command() -> list[str]:
    """The configured solver command as argv."""
    raw = os.environ.get("SOLVEREIGN_SOLVER_COMMAND")
    if raw is not None and not raw.strip():
        raise ConfigError("SOLVEREIGN_SOLVER_COMMAND is set but empty")
    return shlex.split(raw) if raw else [sys.executable, "-m", "sandbox.solver"]


def run(action: str, args: list[str], out: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run `solver ACTION ARGS --out OUT`; returns (plan, the stats line it printed)."""
    argv = [*command(), action, *args, "--out", str(out)]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SolverFailed(f"solver {shlex.join(argv[:3])} could not run: {exc}") from None
    if proc.returncode == 2:
        raise ConfigError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip()
                          else "the solver refused its input")
    if proc.returncode != 0 or not out.exists():
        tail = proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        raise SolverFailed(f"solver {action} failed: {tail[0]}")
    stats: dict[str, Any] = {}
    for line in reversed(proc.stderr.strip().splitlines()):
        try:
            stats = json.loads(line)
            break
        except ValueError:
            continue
    return json.loads(out.read_text()), stats

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

from cutover import atomicfile, home
from cutover.errors import EXIT_CRASH, CutoverError
from cutover.pg import run
from cutover.pg.url import mask_text

# Room the verdict JSON and the reports need, proven before pytest runs: a full disk is one
# line naming the folder (exit 3), not a pytest INTERNALERROR traceback read as a verdict.
RESULT_ROOM = 1 << 20


class GateOutputError(CutoverError):
    """The gate cannot write its result (disk full, read-only): exit 3, never a verdict."""

    exit_code = EXIT_CRASH


def ensure_room(folder: Path, size: int = RESULT_ROOM) -> None:
    """Write and remove `size` bytes in `folder`; GateOutputError naming it and the errno."""
    import errno

    probe = folder / f".gate-room-{os.getpid()}.probe"
    try:
        atomicfile.write_bytes(probe, b"\0" * size)
    except OSError as exc:
        code = errno.errorcode.get(exc.errno or 0, str(exc.errno))
        raise GateOutputError(f"cannot write the gate's result in {folder}: "
                              f"{exc.strerror or exc} ({code})") from None
    finally:
        probe.unlink(missing_ok=True)

REPO = home.root()  # the checkout, or the wheel's shipped copy of the gate's files
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
    try:
        result_file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GateOutputError(f"cannot create {result_file.parent}: {exc.strerror}") from None
    result_file.unlink(missing_ok=True)
    ensure_room(result_file.parent)
    root = home.root()
    # the caller prints its own verdict (or status) line from the result file: only one
    cmd = [sys.executable, "-m", "pytest", *[str(root / p) for p in paths], "-m", marker,
           "--gate-result", str(result_file), "--no-verdict-line", "-q", "--no-header",
           "-p", "no:cacheprovider"]
    if not home.is_checkout():  # the wheel's copy: its ini and root, reports under the cwd
        cmd += ["-c", str(root / "pytest.ini"), "--rootdir", str(root)]
    if db_url:
        cmd += ["--db-url", db_url]
    if env_name:
        cmd += ["--env", env_name]
    args, env = _absolute(extra or [], os.environ if environ is None else environ)
    cmd += args
    # the gate's pytest ends with its caller (a killed prod_cutover.sh or rollback)
    cwd = root if home.is_checkout() else Path.cwd()
    proc = subprocess.run(cmd, cwd=cwd, env=env, check=False,
                          capture_output=quiet, text=True, preexec_fn=run.die_with_parent())
    try:
        return json.loads(result_file.read_text())["verdict"], proc.returncode
    except (OSError, ValueError, KeyError, TypeError):  # missing or cut short: no verdict
        if quiet:  # the caller can only say "did not run": show why, passwords masked
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
            print(mask_text("\n".join(f"    | {line}" for line in tail)), file=sys.stderr)
        return None, proc.returncode


def crash(message: str) -> int:
    """The gate could not run: say so distinctly (exit 3), never as a verdict."""
    print(f"gate error: {message}", file=sys.stderr)
    return EXIT_CRASH

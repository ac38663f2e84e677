#!/usr/bin/env python3
"""Bootstrap and run: `python3 dev.py rehearse` or `python3 dev.py test`.

Needs only Python 3.11+: creates .venv, installs the project with its test
dependencies from PyPI (again only when pyproject.toml changed), then runs the job.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed-pyproject-sha256"


def _python() -> Path:
    return VENV / "bin" / "python"


def ensure_env() -> None:
    """Create the virtualenv and install the project if pyproject.toml changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under any system python
        sys.exit(f"dev.py: Python 3.11+ is required (this is {sys.version.split()[0]})")
    if not _python().exists():
        print("dev.py: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == want:
        return
    print("dev.py: installing the project and its dependencies", file=sys.stderr)
    pip = [str(_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(want)


def _test_paths(args: list[str]) -> list[str]:
    """The project's tests unless paths are named: pytest.ini's testpaths is the gate."""
    named = any((ROOT / a.split("::")[0]).exists() for a in args if not a.startswith("-"))
    return args if named else ["tests", *args]


def main(argv: list[str]) -> int:
    """Dispatch `rehearse` (the main job against the sandbox) or `test`."""
    if not argv or argv[0] not in ("rehearse", "test"):
        print(__doc__, file=sys.stderr)
        return 2
    ensure_env()
    env = dict(os.environ, VIRTUAL_ENV=str(VENV), PATH=f"{VENV / 'bin'}:{os.environ['PATH']}")
    if argv[0] == "test":
        cmd = [str(_python()), "-m", "pytest", *_test_paths(argv[1:])]
    else:
        cmd = [str(VENV / "bin" / "cutover"), "rehearse", *argv[1:]]
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

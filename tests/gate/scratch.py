"""A scratch copy of the gate's root for tests that write their own check modules.

Writing them into the repository's `checks/` let every gate that ran at the same moment (a
parallel test worker's gate, a rehearsal's) collect them too. The scratch root has the
repository's conftest.py and pytest.ini and its own `checks/`; the plugins and the library
are imported from the repository through PYTHONPATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def scratch_checks(tmp_path: Path, files: dict[str, str]) -> Path:
    """A gate root under tmp_path whose `checks/scratch/` holds `files`; that folder."""
    root = tmp_path / "gate-root"
    folder = root / "checks" / "scratch"
    folder.mkdir(parents=True)
    for name in ("conftest.py", "pytest.ini"):
        shutil.copy(REPO / name, root / name)
    for name, body in files.items():
        (folder / name).write_text(body)
    return folder


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """pytest over the scratch folder, from its root, with the repository importable."""
    root = folder.parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)}
    return subprocess.run([sys.executable, "-m", "pytest", str(folder), *args], cwd=root,
                          env=env, capture_output=True, text=True, check=False)

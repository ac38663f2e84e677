"""Ship the gate's files inside the wheel (everything else is in pyproject.toml).

The gate needs more than the `cutover` package: the root conftest.py and pytest.ini, the
checks and fixtures pytest loads, the migrations and the runbook scripts. They are copied
into `cutover/_tree/` of the build, where `cutover.home.root()` finds them when no source
checkout is around (an installed wheel in an empty directory).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
TREE = ("conftest.py", "pytest.ini", "checks", "fixtures", "migrations", "scripts")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "_tmp_*", ".*")


class BuildWithTree(build_py):
    """build_py, then the gate's tree copied under cutover/_tree (not for editable
    installs, which run from the checkout itself)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        dest = Path(self.build_lib) / "cutover" / "_tree"
        shutil.rmtree(dest, ignore_errors=True)
        for name in TREE:
            src = HERE / name
            if src.is_dir():
                shutil.copytree(src, dest / name, ignore=SKIP, symlinks=False)
            else:
                dest.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / name)


setup(cmdclass={"build_py": BuildWithTree})

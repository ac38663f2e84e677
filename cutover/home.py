"""Where the gate's files live: the source checkout, or the copy shipped in the wheel.

The gate runs pytest over checks/ with the root conftest.py (fixtures/ plugins) and
pytest.ini, and the runner applies migrations/. In a checkout they sit at the repository
root; an installed wheel carries the same files under `cutover/_tree/` (setup.py copies
them at build time), so nothing needs the source tree or git.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent
SHIPPED = PACKAGE / "_tree"
# What a gate root must hold (setup.py ships exactly these).
TREE = ("conftest.py", "pytest.ini", "checks", "fixtures", "migrations", "scripts")


def _complete(root: Path) -> bool:
    return all((root / name).exists() for name in TREE)


def root() -> Path:
    """The folder holding conftest.py, pytest.ini, checks/, fixtures/, migrations/ and
    scripts/: the checkout this package runs from, else the wheel's shipped copy."""
    if _complete(CHECKOUT):
        return CHECKOUT
    return SHIPPED


def is_checkout() -> bool:
    """True when running from a source checkout (editable install or PYTHONPATH)."""
    return root() == CHECKOUT

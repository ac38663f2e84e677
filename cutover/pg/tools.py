"""Finding PostgreSQL client tools and their versions (pg_dump, pg_restore, psql)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


def find_tool(name: str, bin_dir: str | None = None) -> str | None:
    """SOLVEREIGN_PG_BIN (or `bin_dir`) first, then PATH."""
    bin_dir = bin_dir or os.environ.get("SOLVEREIGN_PG_BIN")
    if bin_dir and (Path(bin_dir) / name).exists():
        return str(Path(bin_dir) / name)
    return shutil.which(name)


def tool_version(name: str, bin_dir: str | None = None) -> tuple[str | None, int | None, str]:
    """(path, major version, version text) of a client tool; path None when not found."""
    path = find_tool(name, bin_dir)
    if path is None:
        return None, None, ""
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10,
                             check=False).stdout.strip()
    except OSError as exc:
        return path, None, f"cannot run: {exc}"
    m = _VERSION.search(out)
    return path, (int(m.group(1)) if m else None), out

"""Writing files so that a reader (or a killed writer) never sees half of one.

The data goes to a temporary file in the same folder, is fsynced, then moved over the
target with os.replace (atomic on POSIX), and the folder is fsynced so the rename itself
survives a crash. A manifest or last-known-good file is either the old one or the new one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from cutover import release


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (best effort where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace `path` with `data` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def write_json(path: Path, doc: Any, mode: int = 0o644) -> None:
    """Replace `path` with `doc` as indented, key-sorted JSON (stable diffs, easy reading),
    with the `tool` that wrote it (release.stamped: the backup manifest, last-known-good)."""
    write_bytes(path, (json.dumps(release.stamped(doc), indent=2, sort_keys=True) + "\n"
                       ).encode(), mode)

"""The evidence bundle's own file names, and writing an artifact so it is never half there."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from cutover import release

SUMMARY = "cutover_summary.json"
ENVELOPE = "cutover_summary.intoto.jsonl"
# Rendered from the bundle after the summary is written, so not in the summary's table;
# the envelope signs it (a subject like every artifact): a page edited later is caught.
DERIVED = ("report.html",)
UNHASHED = (ENVELOPE, *DERIVED)


def write_json(path: Path, doc: object, *, stamp: bool = True) -> None:
    """Atomic write of pretty JSON (a half-written artifact must never be signed), with
    the `tool` that wrote it (release.stamped); `stamp=False` for a foreign format that
    records it its own way (SARIF's tool.driver)."""
    doc = release.stamped(doc) if stamp else doc
    write_atomic(Path(path), (json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n"
                               ).encode())


def write_atomic(path: Path, data: bytes) -> None:
    """Write a new file and rename it over `path` (a symlink there is replaced, never
    followed out of the bundle)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:  # a full disk must not leave a stray file in a sealed bundle
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise

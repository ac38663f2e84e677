"""One Ed25519 evidence key pair per test process, on disk (the CLI reads a path)."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from cutover.evidence import keys
from cutover.evidence.keys import EvidenceKey


@functools.cache
def _pair() -> tuple[Path, Path]:
    folder = Path(tempfile.mkdtemp(prefix="evidence-key-"))
    atexit.register(shutil.rmtree, folder, True)
    return keys.generate(folder / "keys")


def key() -> EvidenceKey:
    """The signing key (it verifies too)."""
    return keys.load_private(_pair()[0])


def public_key() -> EvidenceKey:
    """Only the public half: what an approver holds."""
    return keys.load_public(_pair()[1])


def key_env() -> dict[str, str]:
    """The environment a sealing command needs."""
    private, public = _pair()
    return {keys.SIGNING_KEY_VAR: str(private),
            keys.PUBLIC_KEY_VAR: str(public)}

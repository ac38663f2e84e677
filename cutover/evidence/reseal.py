"""Writing into a sealed bundle after the fact (runbook §10): refuse before acting without
the key that re-seals it, and re-seal after writing.

A bundle that stops verifying is refused by every later step (approve, enable,
last-known-good), so a command that adds a file to it either re-seals it or says plainly
that it did not and why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cutover.errors import ConfigError
from cutover.evidence import bundle, keys


def is_sealed(folder: Path | None) -> bool:
    """A folder with a summary: whatever is written into it must be re-sealed."""
    return folder is not None and (Path(folder) / bundle.SUMMARY).exists()


def require_reseal_key(folder: Path | None, command: str) -> None:
    """Refuse (exit 2) before a command acts when it will write into a sealed bundle it
    cannot re-seal: unsealed, the bundle stops verifying and the next step (approve,
    last-known-good) refuses it after the action already happened."""
    if not is_sealed(folder):
        return
    if keys.signing_key(required=False) is None:
        raise ConfigError(f"{command} writes into the sealed bundle {folder} and re-seals it, "
                          f"but {keys.SIGNING_KEY_VAR} is not set; nothing was changed")


def reseal_after_writing(folder: Path, written: list[str], log: Callable[[str], None] = print,
                         **fields: object) -> None:
    """After a command wrote into a sealed bundle: re-seal it, or say why it was not."""
    if not is_sealed(folder):
        return
    key = keys.signing_key(required=False)
    if key is None:
        log(f"warning: {folder} not re-sealed ({keys.SIGNING_KEY_VAR} is not set)")
        return
    problems = bundle.add_to_bundle(folder, key, written, **fields)
    if problems:
        log(f"warning: {folder} not re-sealed, it does not verify: " + "; ".join(problems))
    else:
        log(f"re-sealed {folder} with {', '.join(written)}")

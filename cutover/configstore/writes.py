"""What the write-freeze flag means, read by the API and every tool alike (docs/operations.md).

Fail closed: only the exact value "false" under the configured label enables writes. A
missing key (a clean-up, a store re-import), an unreadable store or a malformed value all
mean writes DISABLED, and say why, so the watch and PF-008 can report it as a finding.
"""

from __future__ import annotations

from dataclasses import dataclass

from cutover.configstore.base import WRITES_DISABLED_KEY, ConfigStore
from cutover.configstore.errors import describe_label
from cutover.errors import CutoverError


@dataclass(frozen=True)
class WritesState:
    """The flag as the application must obey it; `problem` says why it was not read as set."""

    disabled: bool
    problem: str | None = None


def missing_flag(store: ConfigStore, label: str | None) -> str:
    """The one wording for an absent flag: it names the key, the label and the store."""
    return (f"{WRITES_DISABLED_KEY} {describe_label(label)} does not exist in "
            f"{store.describe()}: writes are disabled until it is set")


def read_writes_state(store: ConfigStore, label: str | None) -> WritesState:
    """The flag under `label`; anything but a readable "true"/"false" is writes disabled."""
    try:
        flag = store.find_flag(WRITES_DISABLED_KEY, label)
        if flag is None:
            return WritesState(True, missing_flag(store, label))
        return WritesState(flag.value)
    except CutoverError as exc:  # unreachable, refused, malformed value
        return WritesState(True, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

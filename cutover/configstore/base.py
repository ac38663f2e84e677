"""The config-store interface and the one write algorithm every backend shares.

`set_flag` mirrors `az appconfig kv set --yes` (docs/configuration.md): read the key, create it with
If-None-Match: * when missing or replace it with If-Match on the etag just read, refuse a
locked key, and retry a lost race (HTTP 412) a bounded number of times. The algorithm lives
here once; backends only provide the primitive reads and conditional writes.
"""

from __future__ import annotations

import abc
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from cutover.configstore.errors import (
    ConflictError,
    FlagNotFoundError,
    InvalidFlagValueError,
    KeyLockedError,
    describe_label,
)

log = logging.getLogger(__name__)

WRITES_DISABLED_KEY = "SOLVEREIGN_PLATFORM_WRITES_DISABLED"

# `az appconfig kv set` tries three times, one second apart, before giving up on a 412.
DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_RETRY_INTERVAL = 1.0

_FILTER_CHARS = ("*", ",", "\\")

BeforeWriteHook = Callable[[str, str | None], None]


def parse_flag(
    raw: str | None, *, key: str = WRITES_DISABLED_KEY, label: str | None = None
) -> bool:
    """Turn a stored value into a bool; only the exact strings "true"/"false" are accepted.

    Anything else is refused rather than guessed: a freeze flag read as the wrong boolean
    would let writes through a maintenance window.
    """
    if raw == "true":
        return True
    if raw == "false":
        return False
    shown = "nothing (empty value)" if not raw else repr(raw[:60])
    raise InvalidFlagValueError(
        f"config store key {key} {describe_label(label)} holds {shown}; "
        "expected exactly 'true' or 'false'"
    )


def format_flag(value: bool) -> str:
    """Render a bool the way the application and `az` expect it in the store."""
    if not isinstance(value, bool):
        raise TypeError(f"flag value must be a bool, not {type(value).__name__}")
    return "true" if value else "false"


def normalize_label(label: str | None) -> str | None:
    """The empty label and NUL both mean the null label to the service; we spell it None."""
    return None if label in ("", "\0") else label


def check_key(key: str, label: str | None) -> None:
    """Refuse keys and labels that are filter syntax: writing `*` would not mean one key."""
    if not isinstance(key, str) or not key or key in (".", ".."):
        raise ValueError(f"invalid config store key {key!r}")
    for char in _FILTER_CHARS:
        if char in key:
            raise ValueError(f"config store key {key!r} must not contain {char!r}")
        if label is not None and char in label:
            raise ValueError(f"config store label {label!r} must not contain {char!r}")


@dataclass(frozen=True)
class FlagValue:
    """One key-value as the store holds it; `raw` is the stored string, `value` its bool."""

    key: str
    label: str | None
    raw: str | None
    etag: str | None = None
    locked: bool = False
    last_modified: str | None = None
    content_type: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def value(self) -> bool:
        """The parsed flag; raises InvalidFlagValueError naming the value if it is not a bool."""
        return parse_flag(self.raw, key=self.key, label=self.label)


class ConfigStore(abc.ABC):
    """A key-value store holding feature flags under (key, label), with etags and locks."""

    def __init__(
        self,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        retry_interval: float = DEFAULT_RETRY_INTERVAL,
        before_write: BeforeWriteHook | None = None,
    ) -> None:
        """`before_write(key, label)` runs between the read and the conditional write.

        It exists so a drill or test can play a concurrent operator at exactly the moment
        that matters; production code leaves it unset.
        """
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.max_attempts = max_attempts
        self.retry_interval = retry_interval
        self.before_write = before_write

    # -- what callers use -------------------------------------------------------------

    def get_flag(self, key: str, label: str | None = None) -> FlagValue:
        """Read one key under one label (None = the null label only, as the service does)."""
        label = normalize_label(label)
        check_key(key, label)
        found = self._read(key, label)
        if found is None:
            raise self._not_found(key, label)
        return found

    def find_flag(self, key: str, label: str | None = None) -> FlagValue | None:
        """Like get_flag, but None when the key is absent (a never-frozen store)."""
        label = normalize_label(label)
        check_key(key, label)
        return self._read(key, label)

    @abc.abstractmethod
    def list_all_labels(self, key: str) -> list[FlagValue]:
        """Every label of `key` (label filter `*`), sorted with the null label first."""

    def set_flag(self, key: str, value: bool, label: str | None = None) -> FlagValue:
        """Write "true"/"false" like `az appconfig kv set --yes`; returns what the store kept."""
        label = normalize_label(label)
        check_key(key, label)
        raw = format_flag(value)
        for attempt in range(1, self.max_attempts + 1):
            current = self._read(key, label)
            if current is not None and current.locked:
                raise self._locked_error(key, label)
            if self.before_write is not None:
                self.before_write(key, label)
            try:
                if current is None:
                    return self._create(key, label, raw)
                return self._replace(current, raw)
            except ConflictError:
                log.debug("set %s %s: 412 on attempt %d", key, describe_label(label), attempt)
                if attempt < self.max_attempts and self.retry_interval > 0:
                    time.sleep(self.retry_interval)
        raise ConflictError(
            f"gave up setting {key} {describe_label(label)} in {self.describe()} after "
            f"{self.max_attempts} attempts: another writer changed it each time (HTTP 412)"
        )

    def set_read_only(
        self, key: str, read_only: bool = True, label: str | None = None
    ) -> FlagValue:
        """Lock or unlock (`az appconfig kv lock/unlock`); FlagNotFoundError if absent."""
        label = normalize_label(label)
        check_key(key, label)
        return self._set_locked(key, label, read_only)

    @abc.abstractmethod
    def ping(self) -> None:
        """Prove the store answers and accepts our credentials; raise StoreError if not."""

    @abc.abstractmethod
    def describe(self) -> str:
        """Where the store is, for messages and evidence; never contains a secret."""

    def close(self) -> None:  # noqa: B027 - optional for backends holding no resources
        """Release network resources; the local backend holds none."""

    def __enter__(self) -> ConfigStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"

    # -- what backends provide ----------------------------------------------------------

    @abc.abstractmethod
    def _read(self, key: str, label: str | None) -> FlagValue | None:
        """The key-value under exactly this label, or None."""

    @abc.abstractmethod
    def _create(self, key: str, label: str | None, raw: str) -> FlagValue:
        """Create only if absent (If-None-Match: *); ConflictError if it appeared meanwhile."""

    @abc.abstractmethod
    def _replace(self, current: FlagValue, raw: str) -> FlagValue:
        """Replace only if unchanged (If-Match: etag); ConflictError otherwise.

        Content type and tags of `current` are kept, as `az appconfig kv set` keeps them.
        """

    @abc.abstractmethod
    def _set_locked(self, key: str, label: str | None, read_only: bool) -> FlagValue:
        """Lock or unlock; FlagNotFoundError when the key-value does not exist."""

    def _not_found(self, key: str, label: str | None) -> FlagNotFoundError:
        return FlagNotFoundError(
            f"config store key {key} {describe_label(label)} does not exist in {self.describe()}"
        )

    def _locked_error(self, key: str, label: str | None) -> KeyLockedError:
        """The one wording for a locked key, whichever way we found out."""
        return KeyLockedError(
            f"config store key {key} {describe_label(label)} is locked (read-only) in "
            f"{self.describe()}; unlock it first (az appconfig kv unlock)"
        )

"""Local config-store backend: one JSON file, for the sandbox and for rehearsals.

It keeps the service's semantics (labels, etags, If-Match / If-None-Match conflicts, locks)
so the freeze code cannot tell it apart from Azure. File format:

    {"format": "solvereign-configstore/1", "revision": 7,
     "items": [{"key": ..., "label": null, "value": "true", "content_type": null,
                "tags": {}, "etag": "...", "locked": false, "last_modified": "..."}]}

Every change runs under an exclusive fcntl lock on `<file>.lock` (bounded wait) and is
written to a temporary file in the same folder, fsynced, then moved over the old one with
os.replace, so readers never see half a file and concurrent writers never lose an update.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cutover.configstore.base import ConfigStore, FlagValue, check_key
from cutover.configstore.errors import (
    ConflictError,
    StoreError,
    describe_label,
)

FILE_VAR = "SOLVEREIGN_CONFIG_STORE_FILE"
FORMAT = "solvereign-configstore/1"
DEFAULT_LOCK_TIMEOUT = 10.0

Document = dict[str, Any]


def default_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the sandbox keeps its store when SOLVEREIGN_CONFIG_STORE_FILE is not set."""
    env = os.environ if env is None else env
    state = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME", "~")) / ".local" / "state")
    return Path(state).expanduser() / "solvereign" / "configstore.json"


def _item_flag(item: dict[str, Any]) -> FlagValue:
    return FlagValue(
        key=item["key"],
        label=item["label"],
        raw=item["value"],
        etag=item["etag"],
        locked=item["locked"],
        last_modified=item.get("last_modified"),
        content_type=item.get("content_type"),
        tags=dict(item.get("tags") or {}),
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()


class LocalConfigStore(ConfigStore):
    """The write-freeze flag in a JSON file shared by every process on this machine."""

    def __init__(
        self, path: str | os.PathLike[str], *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT, **kw: Any
    ) -> None:
        super().__init__(**kw)
        self.path = Path(path)
        self.lock_timeout = lock_timeout

    def describe(self) -> str:
        return f"local config store {self.path}"

    def ping(self) -> None:
        """The file parses (or does not exist yet) and its folder can take our writes."""
        self._load()
        folder = self.path.parent
        if folder.exists() and not os.access(folder, os.W_OK):
            raise StoreError(f"{self.describe()}: folder {folder} is not writable")

    def list_all_labels(self, key: str) -> list[FlagValue]:
        check_key(key, None)
        found = [_item_flag(i) for i in self._load()["items"] if i["key"] == key]
        return sorted(found, key=lambda f: (f.label is not None, f.label or ""))

    def _set_locked(self, key: str, label: str | None, read_only: bool) -> FlagValue:
        def change(doc: Document) -> FlagValue:
            item = _find(doc, key, label)
            if item is None:
                raise self._not_found(key, label)
            item.update(locked=read_only, etag=uuid.uuid4().hex, last_modified=_now())
            return _item_flag(item)

        return self._mutate(change)

    # -- primitives for ConfigStore.set_flag -----------------------------------------------

    def _read(self, key: str, label: str | None) -> FlagValue | None:
        item = _find(self._load(), key, label)
        return _item_flag(item) if item is not None else None

    def _create(self, key: str, label: str | None, raw: str) -> FlagValue:
        def change(doc: Document) -> FlagValue:
            if _find(doc, key, label) is not None:  # If-None-Match: * failed
                raise ConflictError(f"{key} {describe_label(label)} appeared concurrently")
            item = {
                "key": key,
                "label": label,
                "value": raw,
                "content_type": None,
                "tags": {},
                "etag": uuid.uuid4().hex,
                "locked": False,
                "last_modified": _now(),
            }
            doc["items"].append(item)
            return _item_flag(item)

        return self._mutate(change)

    def _replace(self, current: FlagValue, raw: str) -> FlagValue:
        key, label = current.key, current.label

        def change(doc: Document) -> FlagValue:
            item = _find(doc, key, label)
            if item is None or item["etag"] != current.etag:  # If-Match failed
                raise ConflictError(f"{key} {describe_label(label)} changed concurrently")
            if item["locked"]:
                raise self._locked_error(key, label)
            item.update(value=raw, etag=uuid.uuid4().hex, last_modified=_now())
            return _item_flag(item)

        return self._mutate(change)

    # -- the file ----------------------------------------------------------------------

    def _mutate(self, change: Callable[[Document], FlagValue]) -> FlagValue:
        """Load, change and atomically rewrite the file under the exclusive lock."""
        with self._exclusive():
            doc = self._load()
            result = change(doc)
            doc["revision"] = int(doc.get("revision", 0)) + 1
            self._save(doc)
            return result

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """fcntl lock on a sibling file (the data file itself is replaced on every write)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a+b") as handle:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreError(
                            f"{self.describe()} stayed locked by another process for "
                            f"{self.lock_timeout:g} s ({lock_path})"
                        ) from None
                    time.sleep(0.005)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _load(self) -> Document:
        """The whole document; a missing file is an empty store, a damaged one an error."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"format": FORMAT, "revision": 0, "items": []}
        except OSError as exc:
            raise StoreError(f"{self.describe()} cannot be read ({exc.strerror})") from None
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StoreError(
                f"{self.describe()} is not valid JSON (line {exc.lineno}); fix or remove it"
            ) from None
        _validate(doc, self.describe())
        return doc

    def _save(self, doc: Document) -> None:
        """Write beside the target, fsync, then os.replace: all or nothing."""
        text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o644)  # not secret; the sandbox API may read it as another user
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _find(doc: Document, key: str, label: str | None) -> dict[str, Any] | None:
    for item in doc["items"]:
        if item["key"] == key and item["label"] == label:
            return item
    return None


def _validate(doc: Any, where: str) -> None:
    """Refuse a document we did not write rather than misread the freeze flag."""
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise StoreError(f"{where} is malformed: expected an object with an 'items' list")
    for position, item in enumerate(doc["items"], start=1):
        ok = (
            isinstance(item, dict)
            and isinstance(item.get("key"), str)
            and isinstance(item.get("label"), str | None)
            and isinstance(item.get("value"), str | None)
            and isinstance(item.get("etag"), str)
            and isinstance(item.get("locked"), bool)
        )
        if not ok:
            raise StoreError(
                f"{where} is malformed: item {position} lacks key/label/value/etag/locked"
            )

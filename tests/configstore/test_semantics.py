"""Semantics both backends share (docs/configuration.md), run against each: a second, independent
client of the same store plays the concurrent operator."""

from __future__ import annotations

import pytest

from cutover.configstore import (
    WRITES_DISABLED_KEY,
    ConflictError,
    FlagNotFoundError,
    KeyLockedError,
)

pytest_plugins = ["tests.configstore.fixtures"]

KEY = WRITES_DISABLED_KEY


def test_create_update_read_back(backend):
    store, other = backend.open(), backend.open()
    assert store.find_flag(KEY) is None
    created = store.set_flag(KEY, True)
    updated = store.set_flag(KEY, False)
    assert (created.value, updated.value) == (True, False)
    assert created.etag != updated.etag
    assert other.get_flag(KEY) == updated


def test_labels_are_separate_keys(backend):
    store = backend.open()
    store.set_flag(KEY, False)
    store.set_flag(KEY, True, label="production")
    assert [(f.label, f.value) for f in store.list_all_labels(KEY)] == [
        (None, False),
        ("production", True),
    ]
    assert store.get_flag(KEY).value is False
    assert store.get_flag(KEY, "production").value is True


def test_locked_key_is_refused_until_unlocked(backend):
    store, operator = backend.open(), backend.open()
    store.set_flag(KEY, False)
    operator.set_read_only(KEY, True)
    with pytest.raises(KeyLockedError, match=KEY):
        store.set_flag(KEY, True)
    assert store.get_flag(KEY).value is False and store.get_flag(KEY).locked
    operator.set_read_only(KEY, False)
    assert store.set_flag(KEY, True).value is True
    with pytest.raises(FlagNotFoundError):
        operator.set_read_only(KEY, True, label="nowhere")


def _racing(backend, wins: int | None, **kw):
    """A store whose every write is preceded by `wins` concurrent writes of another client
    (None = every time); returns the store and the list of hook calls."""
    rival = backend.open()
    calls: list[str | None] = []

    def rival_writes_first(key, label):
        calls.append(label)
        if wins is None or len(calls) <= wins:
            rival.set_flag(key, False, label)

    return backend.open(before_write=rival_writes_first, **kw), calls


def test_lost_race_is_retried_within_the_bound(backend):
    backend.open().set_flag(KEY, False)
    store, calls = _racing(backend, wins=2)
    assert store.set_flag(KEY, True).value is True
    assert len(calls) == 3
    assert backend.open().get_flag(KEY).value is True


def test_race_for_creation_is_retried(backend):
    store, calls = _racing(backend, wins=1)
    assert store.set_flag(KEY, True).value is True
    assert len(calls) == 2


def test_gives_up_after_three_attempts(backend):
    backend.open().set_flag(KEY, False)
    store, calls = _racing(backend, wins=None)
    with pytest.raises(ConflictError, match="after 3 attempts") as caught:
        store.set_flag(KEY, True)
    assert KEY in str(caught.value) and len(calls) == 3
    assert backend.open().get_flag(KEY).value is False


def test_attempts_are_configurable(backend):
    backend.open().set_flag(KEY, False)
    store, calls = _racing(backend, wins=4, max_attempts=5)
    assert store.set_flag(KEY, True).value is True and len(calls) == 5


def test_filter_syntax_is_not_a_key(backend):
    store = backend.open()
    for key, label in [("*", None), ("A,B", None), ("", None), (KEY, "*")]:
        with pytest.raises(ValueError):
            store.set_flag(key, True, label)


def test_empty_and_nul_labels_are_the_null_label(backend):
    store = backend.open()
    store.set_flag(KEY, True, label="")
    assert store.get_flag(KEY).label is None
    assert store.get_flag(KEY, "\0").value is True
    assert [f.label for f in store.list_all_labels(KEY)] == [None]

"""What only the local backend has: its file, its lock, and many processes sharing it."""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import time

import pytest

from cutover.configstore import (
    WRITES_DISABLED_KEY,
    InvalidFlagValueError,
    LocalConfigStore,
    StoreError,
)
from tests.configstore.helpers import flip_flag

KEY = WRITES_DISABLED_KEY


def test_file_is_plain_json_and_no_temporary_file_is_left(tmp_path):
    path = tmp_path / "nested" / "cs.json"
    store = LocalConfigStore(path)
    store.ping()  # a store that does not exist yet is empty, not broken
    store.set_flag(KEY, True)
    store.set_flag(KEY, False, label="staging")
    doc = json.loads(path.read_text())
    assert doc["revision"] == 2 and len(doc["items"]) == 2
    assert sorted(p.name for p in path.parent.iterdir()) == ["cs.json", "cs.json.lock"]


def test_damaged_file_is_a_clear_error(tmp_path):
    path = tmp_path / "cs.json"
    store = LocalConfigStore(path)
    path.write_text('{"items": [')
    with pytest.raises(StoreError, match=r"cs.json is not valid JSON \(line 1\)"):
        store.get_flag(KEY)
    path.write_text('{"items": [{"key": 1}]}')
    with pytest.raises(StoreError, match="item 1 lacks"):
        store.set_flag(KEY, True)
    assert path.read_text() == '{"items": [{"key": 1}]}'  # a refused write changes nothing


def test_value_that_is_not_a_bool_names_the_value(tmp_path):
    path = tmp_path / "cs.json"
    store = LocalConfigStore(path)
    store.set_flag(KEY, True)
    doc = json.loads(path.read_text())
    doc["items"][0]["value"] = "TRUE"
    path.write_text(json.dumps(doc))
    with pytest.raises(InvalidFlagValueError, match="'TRUE'"):
        _ = store.get_flag(KEY).value


def test_a_held_lock_makes_writers_wait_then_fail_clearly(tmp_path):
    path = tmp_path / "cs.json"
    store = LocalConfigStore(path, lock_timeout=0.2)
    store.set_flag(KEY, False)
    with open(path.with_name("cs.json.lock"), "a+b") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        started = time.monotonic()
        with pytest.raises(StoreError, match="stayed locked by another process"):
            store.set_flag(KEY, True)
        assert 0.2 <= time.monotonic() - started < 2
        assert store.get_flag(KEY).value is False  # reads do not wait for writers
    assert store.set_flag(KEY, True).value is True


def test_two_processes_never_lose_an_update_or_corrupt_the_file(tmp_path):
    path = tmp_path / "cs.json"
    times = 150
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    workers = [
        context.Process(target=flip_flag, args=(str(path), times, start, results)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    start.set()
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)
        assert worker.exitcode == 0

    etags = [etag for written, _, _ in outcomes for etag in written]
    assert sum(conflicts for _, conflicts, _ in outcomes) == 0
    assert len(etags) == 2 * times and len(set(etags)) == 2 * times
    doc = json.loads(path.read_text())  # still one valid document
    assert doc["revision"] == 2 * times  # every write landed on top of the one before
    assert len(doc["items"]) == 1 and doc["items"][0]["etag"] in etags
    # attempts beyond `times` are 412 retries: typically a few per run, proof of overlap
    assert all(attempts >= times for *_, attempts in outcomes)

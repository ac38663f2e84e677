"""The write flag fails closed: a missing or malformed flag is writes DISABLED (issue 24.3).

After a proven freeze, a clean-up that deletes the key from the store must not turn writes
back on by itself; the API, the watch, PF-008 and the tools all read it as disabled and say
which key and label are missing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx

from cutover.configstore import (
    FILE_VAR,
    WRITES_DISABLED_KEY,
    LocalConfigStore,
    read_writes_state,
)
from cutover.freeze.writes import switch_writes
from tests.api.conftest import launch, probe_env
from tests.platform import REPO

WAIT = 20.0  # upper bound for the API's next refresh (0.2 s interval), never a timing claim


def _drop_key(path) -> None:
    """What a store clean-up or re-import does: the key is simply gone."""
    doc = json.loads(path.read_text())
    doc["items"] = [i for i in doc["items"] if i["key"] != WRITES_DISABLED_KEY]
    path.write_text(json.dumps(doc))


def _set_raw(path, raw: str) -> None:
    doc = json.loads(path.read_text())
    for item in doc["items"]:
        if item["key"] == WRITES_DISABLED_KEY:
            item["value"] = raw
    path.write_text(json.dumps(doc))


def _until_store_problem(client: httpx.Client) -> dict:
    """Wait for the event: /health/ready names the flag's problem (the API re-read it)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        ready = client.get("/health/ready").json()
        if WRITES_DISABLED_KEY in str(ready.get("config_store")):
            return ready
        time.sleep(0.05)
    raise AssertionError(f"the API never reported the missing flag: {ready}")


def test_deleted_flag_after_a_proven_freeze_keeps_writes_disabled(make_platform):
    db = make_platform("latest")
    api = launch(db)
    try:
        env = {**db.env(), **probe_env(db)}
        switch_writes(True, env=env, api_url=api.url, log=lambda _line: None)
        store_file = db.workdir / "config-store.json"
        _drop_key(store_file)
        with httpx.Client(base_url=api.url, timeout=10) as client:
            ready = _until_store_problem(client)
            assert ready["ready"] is False and "(null label)" in ready["config_store"]
            assert client.get("/health").json()["writes_enabled"] is False
        watch = subprocess.run(
            [sys.executable, "-m", "cutover.cli", "watch", "--api-url", api.url, "--once",
             "--interval", "0.2", "--window", "0.2", "--log", str(db.workdir / "w.jsonl")],
            cwd=REPO, env={**env, FILE_VAR: str(store_file)}, capture_output=True, text=True,
            timeout=120, check=False)
        assert watch.returncode == 1, watch.stdout + watch.stderr
        assert f"write_flag: {WRITES_DISABLED_KEY} (null label) does not exist" in watch.stdout
    finally:
        api.stop()


def test_missing_or_malformed_flag_reads_disabled_in_every_tool(tmp_path):
    path = tmp_path / "store.json"
    with LocalConfigStore(path) as store:
        missing = read_writes_state(store, "blue")
        assert missing.disabled is True
        assert f"{WRITES_DISABLED_KEY} label 'blue' does not exist" in str(missing.problem)
        store.set_flag(WRITES_DISABLED_KEY, False)
        assert read_writes_state(store, None).disabled is False
    _set_raw(path, "no")
    with LocalConfigStore(path) as store:
        bad = read_writes_state(store, None)
    assert bad.disabled is True and "'no'" in str(bad.problem)
    path.write_text("{damaged")
    with LocalConfigStore(path) as store:
        assert read_writes_state(store, None).disabled is True

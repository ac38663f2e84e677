"""The write flag: read from the config store on an interval, enforced on every write."""

from __future__ import annotations

import time

import httpx

from cutover.configstore import WRITES_DISABLED_KEY, LocalConfigStore
from tests.api.conftest import seed_for
from tests.api.helpers import login, signed

REFRESH = 0.2
WITHIN = 5 * REFRESH + 1.0  # one interval plus generous scheduling slack
ABSENCE = {"driver": "DRV020", "start": "2026-01-15T00:00:00+01:00",
           "end": "2026-01-16T00:00:00+01:00", "reason": "sick"}


def set_flag(db, disabled: bool) -> None:
    with LocalConfigStore(db.workdir / "config-store.json") as store:
        store.set_flag(WRITES_DISABLED_KEY, disabled)


def wait_writes(client: httpx.Client, enabled: bool) -> float:
    """Seconds until /health reports `enabled`; fails after WITHIN."""
    started = time.monotonic()
    while time.monotonic() - started < WITHIN:
        if client.get("/health").json()["writes_enabled"] is enabled:
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"writes_enabled did not become {enabled} within {WITHIN} s")


def test_freeze_and_unfreeze_within_the_refresh_interval(make_platform, start_api):
    db = make_platform("latest")
    api = start_api(db)
    data = seed_for(db.hmac_secret)
    key = data.api_key("wien_pilot")
    with httpx.Client(base_url=api.url, timeout=10) as client:
        cookie = login(client, data)
        set_flag(db, True)
        took = wait_writes(client, False)
        assert took <= WITHIN
        refused = [
            signed(client, key, "POST", "/api/v1/roster/absences", ABSENCE),
            signed(client, key, "POST", "/api/v1/roster/plans", {}),
            client.post("/api/v1/platform/tenants/linz_demo/deactivate",
                        headers={"Cookie": cookie}),
        ]
        assert [(r.status_code, r.json()["error"]) for r in refused] == \
            [(503, "writes_disabled")] * 3
        assert refused[0].headers["retry-after"] == "60"
        reads = [client.get("/api/v1/roster/drivers", headers={"X-API-Key": key}),
                 client.get("/api/v1/platform/tenants", headers={"Cookie": cookie}),
                 client.get("/health/ready")]
        assert [r.status_code for r in reads] == [200, 200, 200]
        assert login(client, data)  # signing in is not a write
        set_flag(db, False)
        wait_writes(client, True)
        again = signed(client, key, "POST", "/api/v1/roster/absences", ABSENCE)
        assert again.status_code == 201
        tenant = client.get("/api/v1/platform/tenants/linz_demo", headers={"Cookie": cookie})
        assert tenant.json()["is_active"] is True  # the refused deactivation left no trace


def test_unreadable_store_fails_closed_and_unready(make_platform, start_api):
    db = make_platform("latest")
    api = start_api(db)
    key = seed_for(db.hmac_secret).api_key("wien_pilot")
    with httpx.Client(base_url=api.url, timeout=10) as client:
        (db.workdir / "config-store.json").write_text("{damaged")
        wait_writes(client, False)
        ready = client.get("/health/ready")
        assert ready.status_code == 503 and ready.json()["ready"] is False
        assert "not valid JSON" in ready.json()["config_store"]
        got = signed(client, key, "POST", "/api/v1/roster/absences", ABSENCE)
        assert got.status_code == 503
        assert client.get("/api/v1/roster/status", headers={"X-API-Key": key}).status_code == 200


def test_absent_key_means_writes_disabled(make_platform, start_api):
    """Fail closed (docs/operations.md, issue 24): a store without the key is not 'never frozen'."""
    db = make_platform("pre")
    (db.workdir / "config-store.json").unlink()
    api = start_api(db)
    with httpx.Client(base_url=api.url, timeout=10) as client:
        assert client.get("/health").json()["writes_enabled"] is False
        ready = client.get("/health/ready").json()
        assert ready["ready"] is False and WRITES_DISABLED_KEY in ready["config_store"]


def test_replay_protection_holds_while_frozen(make_platform, start_api):
    db = make_platform("latest")
    set_flag(db, True)
    api = start_api(db)
    key = seed_for(db.hmac_secret).api_key("graz_test")
    with httpx.Client(base_url=api.url, timeout=10) as client:
        first = signed(client, key, "POST", "/api/v1/roster/absences", ABSENCE)
        assert first.status_code == 503
        replay = client.send(first.request)
        assert (replay.status_code, replay.json()["error"]) == (409, "replay_detected")


def test_freeze_and_enable_under_a_configured_label(make_platform, start_api):
    """With SOLVEREIGN_APPCONFIG_LABEL set, the tools switch the flag under that label, where
    the application reads it, and the proof through the application holds; the null label
    is left alone (and reported when it disagrees)."""
    from cutover.freeze.writes import switch_writes
    from tests.api.conftest import probe_env

    db = make_platform("latest")
    with LocalConfigStore(db.workdir / "config-store.json") as store:
        store.set_flag(WRITES_DISABLED_KEY, False, "blue")
    api = start_api(db, SOLVEREIGN_APPCONFIG_LABEL="blue")
    env = {**db.env(SOLVEREIGN_APPCONFIG_LABEL="blue"), **probe_env(db)}
    frozen = switch_writes(True, env=env, api_url=api.url, timeout=30, log=lambda _: None)
    assert frozen.verified and frozen.probe["status_code"] == 503
    assert "other labels disagree" in frozen.notes[0]  # the null label still says false
    with LocalConfigStore(db.workdir / "config-store.json") as store:
        assert store.get_flag(WRITES_DISABLED_KEY, "blue").value is True
        assert store.get_flag(WRITES_DISABLED_KEY).value is False
    enabled = switch_writes(False, env=env, api_url=api.url, timeout=30, log=lambda _: None)
    assert enabled.verified and not enabled.notes

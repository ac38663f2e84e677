"""The Azure backend, through the real SDK, against the loopback server on a real socket."""

from __future__ import annotations

import importlib.util
import logging
import time

import pytest
from azure.appconfiguration import (
    AzureAppConfigurationClient,
    ConfigurationSetting,
    ResourceReadOnlyError,
)
from azure.core import MatchConditions
from azure.core.credentials import AccessToken
from azure.core.exceptions import (
    ClientAuthenticationError,
    ResourceExistsError,
    ResourceModifiedError,
)

from cutover.configstore import (
    CONNECTION_STRING_VAR,
    ENDPOINT_VAR,
    WRITES_DISABLED_KEY,
    ConflictError,
    FlagNotFoundError,
    InvalidFlagValueError,
    KeyLockedError,
    StoreAuthError,
    StoreError,
    StoreUnreachableError,
    open_store,
)
from cutover.configstore.azure import AzureConfigStore
from cutover.errors import ConfigError
from sandbox.appconfig_server import connection_string, new_secret
from tests.configstore.helpers import CREDENTIAL_ID, FAST, closed_port

pytest_plugins = ["tests.configstore.fixtures"]

KEY = WRITES_DISABLED_KEY


def _puts(server):
    return [r for r in server.requests if r["method"] == "PUT" and r["path"].startswith("/kv/")]


def test_create_update_and_read_back(loopback, sdk_client):
    store = loopback.open()
    created = store.set_flag(KEY, True)
    assert (created.raw, created.value, created.label, created.locked) == (
        "true",
        True,
        None,
        False,
    )

    updated = store.set_flag(KEY, False)
    assert updated.value is False and updated.etag != created.etag

    # read back through our backend and, independently, through the SDK itself
    assert store.get_flag(KEY) == updated
    assert sdk_client.get_configuration_setting(key=KEY).value == "false"

    # mirrors `az appconfig kv set`: create with If-None-Match: *, update with If-Match
    create, update = _puts(loopback.server)
    assert create["if_none_match"] == "*" and create["if_match"] is None
    assert update["if_match"] == f'"{created.etag}"' and update["if_none_match"] is None


def test_update_keeps_content_type_and_tags(loopback, sdk_client):
    sdk_client.set_configuration_setting(
        ConfigurationSetting(key=KEY, value="false", content_type="text/plain", tags={"o": "ops"})
    )
    after = loopback.open().set_flag(KEY, True)
    assert (after.content_type, dict(after.tags), after.raw) == ("text/plain", {"o": "ops"}, "true")


def test_wrong_secret_is_refused_in_one_clear_line(loopback):
    wrong = new_secret()
    conn = connection_string(loopback.endpoint, CREDENTIAL_ID, wrong)
    store = open_store({CONNECTION_STRING_VAR: conn}, **FAST)
    with pytest.raises(StoreAuthError) as caught:
        store.set_flag(KEY, True)
    message = str(caught.value)
    assert "config store refused our credentials (HMAC signature invalid)" in message
    assert loopback.endpoint in message and "\n" not in message
    for secret in (wrong, loopback.secret):
        assert secret not in message and secret not in repr(store)
    assert [r["status"] for r in loopback.server.requests] == [401]  # nothing was written


def test_unknown_credential_id_is_refused(loopback):
    conn = connection_string(loopback.endpoint, "someone-else", loopback.secret)
    with pytest.raises(StoreAuthError, match="HMAC signature invalid"):
        open_store({CONNECTION_STRING_VAR: conn}, **FAST).ping()


def test_401_carries_the_hmac_challenge(loopback):
    conn = connection_string(loopback.endpoint, CREDENTIAL_ID, new_secret())
    with (
        AzureAppConfigurationClient.from_connection_string(conn, retry_total=0) as client,
        pytest.raises(ClientAuthenticationError) as caught,
    ):
        client.get_configuration_setting(key=KEY)
    challenge = caught.value.response.headers["WWW-Authenticate"]
    assert challenge.startswith('HMAC-SHA256 error="invalid_token"')


def test_locked_key_is_refused_clearly(loopback, sdk_client):
    store = loopback.open()
    store.set_flag(KEY, False)
    locked = store.set_read_only(KEY, True)
    assert locked.locked
    with pytest.raises(KeyLockedError) as caught:
        store.set_flag(KEY, True)
    assert KEY in str(caught.value) and "locked" in str(caught.value)
    assert sdk_client.get_configuration_setting(key=KEY).value == "false"
    assert len(_puts(loopback.server)) == 1  # only the first create; no write when locked

    store.set_read_only(KEY, False)
    assert store.set_flag(KEY, True).value is True


@pytest.mark.parametrize("lock_changes_etag", [True, False])
def test_key_locked_between_read_and_write_is_refused(loopback, lock_changes_etag):
    """Whether the service reports the mid-way lock as 412 or 409, the operator sees one
    clear KeyLockedError and nothing is written."""
    store = loopback.open()
    store.set_flag(KEY, False)

    def lock_it(method, key, label):
        loopback.server.store.set_locked(key, label, True, keep_etag=not lock_changes_etag)

    loopback.server.before_write = lock_it
    with pytest.raises(KeyLockedError, match=KEY):
        store.set_flag(KEY, True)
    assert _puts(loopback.server)[-1]["status"] == (412 if lock_changes_etag else 409)
    assert loopback.server.store.get(KEY, None)["value"] == "false"


def test_conflict_is_retried_and_succeeds_within_the_bound(loopback):
    store = loopback.open()
    store.set_flag(KEY, False)
    races = iter(range(2))  # a concurrent writer wins the first two attempts

    def concurrent_writer(method, key, label):
        if next(races, None) is not None:
            loopback.server.store.put(key, label, {"value": "false"})

    loopback.server.before_write = concurrent_writer
    result = store.set_flag(KEY, True)
    assert result.value is True
    assert [p["status"] for p in _puts(loopback.server)] == [200, 412, 412, 200]
    assert loopback.server.store.get(KEY, None)["value"] == "true"


def test_conflict_past_the_bound_gives_up_clearly(loopback):
    store = loopback.open()
    store.set_flag(KEY, False)

    def always_first(method, key, label):
        loopback.server.store.put(key, label, {"value": "false"})

    loopback.server.before_write = always_first
    with pytest.raises(ConflictError) as caught:
        store.set_flag(KEY, True)
    assert "after 3 attempts" in str(caught.value) and KEY in str(caught.value)
    assert [p["status"] for p in _puts(loopback.server)] == [200, 412, 412, 412]


def test_key_created_concurrently_is_retried_as_an_update(loopback):
    store = loopback.open()
    once = iter([True])

    def creator(method, key, label):
        if next(once, False):
            loopback.server.store.put(key, label, {"value": "false"})

    loopback.server.before_write = creator
    assert store.set_flag(KEY, True).value is True
    first, second = _puts(loopback.server)
    assert (first["if_none_match"], first["status"]) == ("*", 412)
    assert second["if_match"] is not None and second["status"] == 200


def test_unreachable_store_fails_fast_and_clearly():
    endpoint = f"http://127.0.0.1:{closed_port()}"
    conn = connection_string(endpoint, CREDENTIAL_ID, new_secret())
    store = open_store({CONNECTION_STRING_VAR: conn}, **FAST)
    started = time.monotonic()
    with pytest.raises(StoreUnreachableError) as caught:
        store.set_flag(KEY, True)
    assert time.monotonic() - started < 3
    message = str(caught.value)
    assert endpoint in message and "connection refused" in message and "\n" not in message
    with pytest.raises(StoreUnreachableError):
        store.ping()


def test_two_labels_list_shows_both_and_null_label_get_sees_one(loopback, sdk_client):
    store = loopback.open()
    store.set_flag(KEY, False)
    store.set_flag(KEY, True, label="production")

    every = store.list_all_labels(KEY)
    assert [(f.label, f.raw) for f in every] == [(None, "false"), ("production", "true")]
    assert store.get_flag(KEY).raw == "false"
    assert store.get_flag(KEY, label="production").raw == "true"
    # the SDK itself shows the same trap: a GET without label sees only the null label
    assert sdk_client.get_configuration_setting(key=KEY).value == "false"
    labels = {s.label for s in sdk_client.list_configuration_settings(key_filter=KEY)}
    assert labels == {None, "production"}


def test_missing_key_and_missing_label(loopback):
    store = loopback.open()
    with pytest.raises(FlagNotFoundError, match=KEY):
        store.get_flag(KEY)
    assert store.find_flag(KEY) is None and store.list_all_labels(KEY) == []
    store.set_flag(KEY, True, label="staging")
    with pytest.raises(FlagNotFoundError, match="null label"):
        store.get_flag(KEY)


def test_a_value_that_is_not_a_bool_is_an_error_naming_it(loopback, sdk_client):
    sdk_client.set_configuration_setting(ConfigurationSetting(key=KEY, value="yes"))
    flag = loopback.open().get_flag(KEY)
    with pytest.raises(InvalidFlagValueError, match="'yes'"):
        _ = flag.value


def test_ping_and_repr_show_no_secret(loopback):
    store = loopback.open()
    store.ping()
    assert loopback.secret not in repr(store) and loopback.secret not in store.describe()
    assert loopback.secret not in repr(loopback.server)


def test_sdk_conditional_requests_are_honoured(loopback, sdk_client):
    """The server's precondition and lock semantics as the SDK sees them."""
    first = sdk_client.add_configuration_setting(ConfigurationSetting(key="k", value="1"))
    with pytest.raises(ResourceExistsError):
        sdk_client.add_configuration_setting(ConfigurationSetting(key="k", value="2"))
    second = sdk_client.set_configuration_setting(ConfigurationSetting(key="k", value="2"))
    with pytest.raises(ResourceModifiedError):
        sdk_client.set_configuration_setting(
            first, match_condition=MatchConditions.IfNotModified, etag=first.etag
        )
    sdk_client.set_read_only(second)
    with pytest.raises(ResourceReadOnlyError):
        sdk_client.delete_configuration_setting(key="k")
    sdk_client.set_read_only(second, read_only=False)
    assert sdk_client.delete_configuration_setting(key="k").value == "2"
    assert sdk_client.delete_configuration_setting(key="k") is None


def test_list_filters(loopback, sdk_client):
    for key, label in [("a1", None), ("a2", "x"), ("b1", "x"), ("b1", "y")]:
        sdk_client.set_configuration_setting(ConfigurationSetting(key=key, label=label, value="v"))

    def listed(**kw):
        return sorted((s.key, s.label or "") for s in sdk_client.list_configuration_settings(**kw))

    assert listed(key_filter="a*") == [("a1", ""), ("a2", "x")]
    assert listed(key_filter="*", label_filter="\0") == [("a1", "")]
    assert listed(key_filter="b1", label_filter="x,y") == [("b1", "x"), ("b1", "y")]
    assert len(listed(label_filter="*")) == 4


class _StaticToken:
    """A TokenCredential that hands out a fixed token (no azure-identity needed)."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("not-a-real-token", int(time.time()) + 3600)


def test_entra_id_needs_https(loopback):
    store = AzureConfigStore.from_endpoint(loopback.endpoint, credential=_StaticToken(), **FAST)
    with pytest.raises(StoreUnreachableError, match="https://"):
        store.ping()


@pytest.mark.skipif(
    importlib.util.find_spec("azure.identity") is not None, reason="azure-identity installed"
)
def test_endpoint_without_azure_identity_is_a_config_error():
    with pytest.raises(ConfigError, match=f"{ENDPOINT_VAR} .* azure-identity"):
        open_store({ENDPOINT_VAR: "https://example.azconfig.io"})


def test_403_names_the_missing_role(loopback):
    loopback.server.fail_next(403)
    with pytest.raises(StoreAuthError, match=r"denied access \(HTTP 403\)"):
        loopback.open().ping()


def test_server_errors_are_retried_by_the_transport_then_reported(loopback):
    store = loopback.open(retry_total=1, client_options={"retry_backoff_factor": 0})
    loopback.server.fail_next(503)  # one failure: absorbed by the SDK's retry
    store.set_flag(KEY, True)
    loopback.server.fail_next(503, count=2)  # two: more than retry_total allows
    with pytest.raises(StoreError, match="answered HTTP 503") as caught:
        store.get_flag(KEY)
    assert "\n" not in str(caught.value)


def test_no_secret_in_debug_logs(loopback, caplog):
    caplog.set_level(logging.DEBUG)
    store = open_store(
        {CONNECTION_STRING_VAR: loopback.connection_string},
        client_options={"logging_enable": True},
        **FAST,
    )
    store.set_flag(KEY, True)
    with pytest.raises(StoreAuthError):
        open_store(
            {CONNECTION_STRING_VAR: connection_string(loopback.endpoint, CREDENTIAL_ID, "QUJD")},
            **FAST,
        ).ping()
    assert "x-ms-date" in caplog.text  # the SDK did log its requests
    assert loopback.secret not in caplog.text and "QUJD" not in caplog.text

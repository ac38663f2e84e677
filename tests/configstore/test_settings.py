"""Connection strings, endpoints, backend selection and flag parsing: one clear line each,
naming the variable, never the secret."""

from __future__ import annotations

import base64
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover.configstore import (
    CONNECTION_STRING_VAR,
    ENDPOINT_VAR,
    FILE_VAR,
    InvalidFlagValueError,
    LocalConfigStore,
    format_flag,
    open_store,
    parse_flag,
)
from cutover.configstore.azure import AzureConfigStore
from cutover.configstore.connstr import parse_connection_string
from cutover.errors import ConfigError

secrets_ = st.binary(min_size=16, max_size=48).map(lambda b: base64.b64encode(b).decode())
ids = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=3, max_size=20)
endpoints = st.sampled_from(
    ["https://solvereign-prod.azconfig.io", "https://x.azconfig.io", "http://127.0.0.1:8483"]
)
orders = st.sampled_from(list(itertools.permutations(range(3))))


def _join(parts: list[str]) -> str:
    return ";".join(parts)


@st.composite
def malformed(draw):
    """(connection string, the secret it carries, what is wrong) for one kind of damage."""
    endpoint, cid, secret = draw(endpoints), draw(ids), draw(secrets_)
    parts = [f"Endpoint={endpoint}", f"Id={cid}", f"Secret={secret}"]
    kind = draw(
        st.sampled_from(
            ["missing part", "trailing ;", "trailing /", "not base64", "extra part", "empty"]
        )
    )
    if kind == "missing part":
        del parts[draw(st.integers(0, 2))]
    elif kind == "trailing ;":
        parts[-1] += ";"
    elif kind == "trailing /":
        parts[0] += "/"
    elif kind == "not base64":
        cut = draw(st.integers(0, len(secret)))
        secret = secret[:cut] + draw(st.sampled_from("!#$%&*-_.~")) + secret[cut:]
        parts[2] = f"Secret={secret}"
    elif kind == "extra part":
        parts.insert(draw(st.integers(0, 3)), draw(st.sampled_from(["Foo=bar", f"Id={cid}"])))
    elif kind == "empty":
        position = draw(st.integers(0, 2))
        parts[position] = parts[position].split("=")[0] + "="
    order = draw(orders) if len(parts) == 3 else range(len(parts))
    return _join([parts[i] for i in order]), secret, kind


@settings(max_examples=150, deadline=None)
@given(malformed())
def test_malformed_connection_strings_are_one_line_naming_the_variable(case):
    value, secret, kind = case
    with pytest.raises(ConfigError) as caught:
        open_store({CONNECTION_STRING_VAR: value})
    message = str(caught.value)
    assert message.startswith(CONNECTION_STRING_VAR), (kind, message)
    assert secret not in message and value not in message
    assert "\n" not in message


@settings(max_examples=50, deadline=None)
@given(endpoints, ids, secrets_, orders)
def test_valid_connection_strings_parse_in_any_order(endpoint, cid, secret, order):
    parts = [f"Endpoint={endpoint}", f"Id={cid}", f"Secret={secret}"]
    value = _join([parts[i] for i in order])
    parsed = parse_connection_string(value)
    assert (parsed.endpoint, parsed.credential_id, parsed.secret) == (endpoint, cid, secret)
    assert secret not in repr(parsed)
    store = open_store({CONNECTION_STRING_VAR: value})
    assert isinstance(store, AzureConfigStore) and secret not in repr(store)
    store.close()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("https://x.azconfig.io/", "ends with '/'"),
        ("https://x.azconfig.io/kv", "bare origin"),
        ("ftp://x.azconfig.io", "https://"),
        ("x.azconfig.io", "https://"),
        ("", "empty"),
    ],
)
def test_malformed_endpoints_name_the_variable(value, problem):
    with pytest.raises(ConfigError, match=problem) as caught:
        open_store({ENDPOINT_VAR: value})
    assert str(caught.value).startswith(ENDPOINT_VAR)


def test_both_azure_variables_is_ambiguous():
    env = {CONNECTION_STRING_VAR: "x", ENDPOINT_VAR: "https://x.azconfig.io"}
    with pytest.raises(ConfigError, match="set only one"):
        open_store(env)


def test_an_empty_connection_string_never_falls_back_to_the_local_file():
    with pytest.raises(ConfigError, match=f"{CONNECTION_STRING_VAR} is set but empty"):
        open_store({CONNECTION_STRING_VAR: ""})


def test_no_azure_variable_means_the_local_file(tmp_path: Path):
    path = tmp_path / "cs.json"
    store = open_store({FILE_VAR: str(path)}, retry_total=0, timeout=1)  # Azure-only: ignored
    assert isinstance(store, LocalConfigStore) and store.path == path
    default = open_store({"XDG_STATE_HOME": str(tmp_path)})
    assert default.path == tmp_path / "solvereign" / "configstore.json"
    with pytest.raises(ConfigError, match=f"{FILE_VAR} is set but empty"):
        open_store({FILE_VAR: " "})


def test_production_refuses_the_local_file():
    with pytest.raises(ConfigError, match="required when SOLVEREIGN_ENV=production"):
        open_store({"SOLVEREIGN_ENV": "production"})


@given(st.text(max_size=80).filter(lambda s: s not in ("true", "false")))
def test_only_true_and_false_are_flags(raw):
    with pytest.raises(InvalidFlagValueError) as caught:
        parse_flag(raw, key="K", label="prod")
    message = str(caught.value)
    assert "K" in message and "'prod'" in message
    if raw:
        assert repr(raw[:60]) in message


def test_flag_round_trip():
    assert parse_flag(format_flag(True)) is True and parse_flag(format_flag(False)) is False
    with pytest.raises(TypeError):
        format_flag("true")  # type: ignore[arg-type]
    with pytest.raises(InvalidFlagValueError, match="empty"):
        parse_flag(None)

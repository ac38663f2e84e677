"""Fixtures for the config-store tests, loaded with `pytest_plugins` from each test module.

They live here rather than in a conftest.py so the suite also runs with --noconftest.
Every store talks to a real loopback server on a real socket, through the real SDK.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cutover.configstore import CONNECTION_STRING_VAR, FILE_VAR, ConfigStore, open_store
from sandbox.appconfig_server import (
    AppConfigServer,
    connection_string,
    new_secret,
    start_server,
    stop_server,
)
from tests.configstore.helpers import CREDENTIAL_ID, FAST


@dataclass
class LoopbackStore:
    """A running loopback server and what a client needs to reach it."""

    server: AppConfigServer
    endpoint: str
    secret: str

    @property
    def connection_string(self) -> str:
        return connection_string(self.endpoint, CREDENTIAL_ID, self.secret)

    def open(self, **kw: object) -> ConfigStore:
        """Our Azure backend, through open_store as a command would build it."""
        return open_store({CONNECTION_STRING_VAR: self.connection_string}, **{**FAST, **kw})


@pytest.fixture
def loopback() -> Iterator[LoopbackStore]:
    """A fresh loopback App Configuration server per test (cheap: a thread and a port)."""
    secret = new_secret()
    server, thread, endpoint = start_server(CREDENTIAL_ID, secret)
    yield LoopbackStore(server, endpoint, secret)
    stop_server(server, thread)


@pytest.fixture
def sdk_client(loopback: LoopbackStore) -> Iterator[object]:
    """The official SDK client, used directly to look at the server independently of us."""
    from azure.appconfiguration import AzureAppConfigurationClient

    client = AzureAppConfigurationClient.from_connection_string(
        loopback.connection_string, retry_total=0
    )
    yield client
    client.close()


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    return tmp_path / "state" / "configstore.json"


@pytest.fixture(params=["azure", "local"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BackendPair]:
    """Each backend, with a way to open a second, independent client on the same store."""
    if request.param == "azure":
        lb: LoopbackStore = request.getfixturevalue("loopback")
        pair = BackendPair("azure", lb.open)
    else:
        path = tmp_path / "configstore.json"
        pair = BackendPair(
            "local", lambda **kw: open_store({FILE_VAR: str(path)}, **{**FAST, **kw})
        )
    yield pair
    pair.close()


@dataclass
class BackendPair:
    """Opens clients of one store; closes them all afterwards."""

    name: str
    _factory: object

    def __post_init__(self) -> None:
        self._opened: list[ConfigStore] = []

    def open(self, **kw: object) -> ConfigStore:
        store = self._factory(**kw)  # type: ignore[operator]
        self._opened.append(store)
        return store

    def close(self) -> None:
        for store in self._opened:
            store.close()

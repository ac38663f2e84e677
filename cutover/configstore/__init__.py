"""The config store holding the write-freeze flag
(docs/configuration.md, docs/operations.md Freeze / enable).

`open_store()` picks the backend from the environment, as the command line contract says
(README.md): Azure App Configuration when SOLVEREIGN_APPCONFIG_CONNECTION_STRING or
SOLVEREIGN_APPCONFIG_ENDPOINT is set, else the local JSON file of the sandbox.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from cutover.configstore.base import (
    WRITES_DISABLED_KEY,
    ConfigStore,
    FlagValue,
    check_key,
    format_flag,
    normalize_label,
    parse_flag,
)
from cutover.configstore.connstr import CONNECTION_STRING_VAR, ENDPOINT_VAR
from cutover.configstore.errors import (
    ConflictError,
    FlagNotFoundError,
    InvalidFlagValueError,
    KeyLockedError,
    StoreAuthError,
    StoreError,
    StoreUnreachableError,
)
from cutover.configstore.local import FILE_VAR, LocalConfigStore, default_path
from cutover.configstore.writes import WritesState, missing_flag, read_writes_state
from cutover.errors import ConfigError

__all__ = [
    "CONNECTION_STRING_VAR",
    "ENDPOINT_VAR",
    "FILE_VAR",
    "LABEL_VAR",
    "WRITES_DISABLED_KEY",
    "ConfigStore",
    "ConflictError",
    "FlagNotFoundError",
    "FlagValue",
    "InvalidFlagValueError",
    "KeyLockedError",
    "LocalConfigStore",
    "StoreAuthError",
    "StoreError",
    "StoreUnreachableError",
    "WritesState",
    "flag_label",
    "format_flag",
    "missing_flag",
    "open_store",
    "parse_flag",
    "read_writes_state",
]

LABEL_VAR = "SOLVEREIGN_APPCONFIG_LABEL"
_AZURE_ONLY = ("retry_total", "timeout", "credential", "client_options")
_LOCAL_ONLY = ("path", "lock_timeout")


def flag_label(env: Mapping[str, str] | None = None) -> str | None:
    """The label the application reads the flag under (null unless configured,
    docs/configuration.md);
    every tool that sets or checks the flag uses the same one."""
    env = os.environ if env is None else env
    label = normalize_label(env.get(LABEL_VAR))
    if label is not None:
        try:
            check_key(WRITES_DISABLED_KEY, label)
        except ValueError as exc:
            raise ConfigError(f"{LABEL_VAR}: {exc}") from None
    return label


def open_store(env: Mapping[str, str] | None = None, **kw: Any) -> ConfigStore:
    """The store the environment points at; options that fit the other backend are ignored.

    A variable that is present but empty is an error, never a silent fall-back to the local
    file: freezing a sandbox file instead of production would look like success. For the same
    reason SOLVEREIGN_ENV=production refuses the local backend.
    """
    env = os.environ if env is None else env
    connection = env.get(CONNECTION_STRING_VAR)
    endpoint = env.get(ENDPOINT_VAR)
    if connection is not None and endpoint is not None:
        raise ConfigError(
            f"both {CONNECTION_STRING_VAR} and {ENDPOINT_VAR} are set; set only one, so it "
            "is clear which store holds the freeze flag"
        )
    if connection is not None or endpoint is not None:
        from cutover.configstore.azure import AzureConfigStore  # the SDK only when needed

        options = {k: v for k, v in kw.items() if k not in _LOCAL_ONLY}
        if connection is not None:
            options.pop("credential", None)
            return AzureConfigStore.from_connection_string(connection, **options)
        return AzureConfigStore.from_endpoint(endpoint or "", **options)
    if env.get("SOLVEREIGN_ENV") == "production":
        raise ConfigError(
            f"{CONNECTION_STRING_VAR} (or {ENDPOINT_VAR}) is required when "
            "SOLVEREIGN_ENV=production; the local config store only serves the sandbox"
        )
    options = {k: v for k, v in kw.items() if k not in _AZURE_ONLY}
    path = options.pop("path", None)
    if path is None:
        path = env.get(FILE_VAR)
        if path is not None and not path.strip():
            raise ConfigError(f"{FILE_VAR} is set but empty; expected a file path")
    return LocalConfigStore(path or default_path(env), **options)

"""Azure App Configuration backend, through the official SDK (docs/configuration.md).

Authentication is either the store's connection string (HMAC-SHA256 request signing) or
Microsoft Entra ID through `azure.identity.DefaultAzureCredential` (optional dependency,
imported only when used). Every SDK failure becomes one StoreError line naming the endpoint
and what we were doing; the secret lives only inside the SDK's credential object.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from azure.appconfiguration import AzureAppConfigurationClient, ConfigurationSetting
from azure.core import MatchConditions
from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)

from cutover.configstore.base import WRITES_DISABLED_KEY, ConfigStore, FlagValue, check_key
from cutover.configstore.connstr import (
    CONNECTION_STRING_VAR,
    ENDPOINT_VAR,
    check_endpoint,
    parse_connection_string,
)
from cutover.configstore.errors import (
    ConflictError,
    StoreAuthError,
    StoreError,
    StoreUnreachableError,
    describe_label,
)
from cutover.errors import ConfigError

DEFAULT_RETRY_TOTAL = 3
DEFAULT_TIMEOUT = 10.0

HMAC = "hmac"
ENTRA = "entra"

# Fragments of transport errors worth naming; the raw text is never shown (it is long and
# carries URLs), only our short reason.
_TRANSPORT_REASONS = (
    ("non-TLS", "token authentication needs an https:// endpoint"),
    ("Connection refused", "connection refused"),
    ("Name or service not known", "host name does not resolve"),
    ("nodename nor servname", "host name does not resolve"),
    ("getaddrinfo", "host name does not resolve"),
    ("timed out", "timed out"),
    ("CERTIFICATE", "TLS certificate rejected"),
    ("SSL", "TLS handshake failed"),
    ("Connection aborted", "connection dropped"),
    ("RemoteDisconnected", "connection dropped"),
    ("Connection reset", "connection reset"),
)


def _transport_reason(exc: BaseException) -> str:
    """A short, secret-free reason for a failed connection."""
    text = " ".join(str(e) for e in _exception_chain(exc))
    for fragment, reason in _TRANSPORT_REASONS:
        if fragment in text:
            return reason
    return type(exc).__name__


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (cause, context, azure-core's inner_exception)."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for inner in (
            current.__cause__,
            current.__context__,
            getattr(current, "inner_exception", None),
        ):
            if isinstance(inner, BaseException):
                pending.append(inner)


def _to_flag(setting: ConfigurationSetting) -> FlagValue:
    last = setting.last_modified
    return FlagValue(
        key=setting.key,
        label=setting.label,
        raw=setting.value,
        etag=setting.etag,
        locked=bool(setting.read_only),
        last_modified=last.isoformat() if last is not None else None,
        content_type=setting.content_type,
        tags=dict(setting.tags or {}),
    )


class AzureConfigStore(ConfigStore):
    """The write-freeze flag in Azure App Configuration."""

    def __init__(
        self, client: AzureAppConfigurationClient, *, endpoint: str, auth: str, **kw: Any
    ) -> None:
        """Wrap a ready SDK client; prefer the from_* constructors, which validate input."""
        super().__init__(**kw)
        self._client = client
        self.endpoint = endpoint
        self.auth = auth

    @classmethod
    def from_connection_string(
        cls,
        value: str,
        *,
        variable: str = CONNECTION_STRING_VAR,
        retry_total: int = DEFAULT_RETRY_TOTAL,
        timeout: float = DEFAULT_TIMEOUT,
        client_options: Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> AzureConfigStore:
        """HMAC-signed access; `value` is validated first so errors name `variable`.

        `client_options` go to the SDK client as they are (logging_enable, transport, ...).
        """
        parts = parse_connection_string(value, variable)
        canonical = f"Endpoint={parts.endpoint};Id={parts.credential_id};Secret={parts.secret}"
        client = AzureAppConfigurationClient.from_connection_string(
            canonical, **_client_options(retry_total, timeout, client_options)
        )
        return cls(client, endpoint=parts.endpoint, auth=HMAC, **kw)

    @classmethod
    def from_endpoint(
        cls,
        endpoint: str,
        *,
        credential: Any = None,
        variable: str = ENDPOINT_VAR,
        retry_total: int = DEFAULT_RETRY_TOTAL,
        timeout: float = DEFAULT_TIMEOUT,
        client_options: Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> AzureConfigStore:
        """Entra ID access; `credential` defaults to DefaultAzureCredential (azure-identity)."""
        endpoint = check_endpoint(endpoint, variable)
        if credential is None:
            credential = _default_credential(variable)
        client = AzureAppConfigurationClient(
            endpoint, credential, **_client_options(retry_total, timeout, client_options)
        )
        return cls(client, endpoint=endpoint, auth=ENTRA, **kw)

    def describe(self) -> str:
        return f"Azure App Configuration at {self.endpoint}"

    def close(self) -> None:
        self._client.close()

    def ping(self) -> None:
        """One list request: proves reachability and credentials without needing the key."""
        with self._errors(f"listing {WRITES_DISABLED_KEY}"):
            pages = self._client.list_configuration_settings(
                key_filter=WRITES_DISABLED_KEY, label_filter="*"
            )
            list(itertools.islice(pages, 1))

    def list_all_labels(self, key: str) -> list[FlagValue]:
        check_key(key, None)
        with self._errors(f"listing every label of {key}"):
            found = [
                _to_flag(s)
                for s in self._client.list_configuration_settings(key_filter=key, label_filter="*")
                if s.key == key
            ]
        return sorted(found, key=lambda f: (f.label is not None, f.label or ""))

    def _set_locked(self, key: str, label: str | None, read_only: bool) -> FlagValue:
        current = self._read(key, label)
        if current is None:
            raise self._not_found(key, label)
        setting = ConfigurationSetting(key=key, label=label, value=current.raw)
        verb = "locking" if read_only else "unlocking"
        with self._errors(f"{verb} {key} {describe_label(label)}"):
            return _to_flag(self._client.set_read_only(setting, read_only))

    def _read(self, key: str, label: str | None) -> FlagValue | None:
        with self._errors(f"reading {key} {describe_label(label)}"):
            try:
                setting = self._client.get_configuration_setting(key=key, label=label)
            except ResourceNotFoundError:
                return None
        return _to_flag(setting) if setting is not None else None

    def _create(self, key: str, label: str | None, raw: str) -> FlagValue:
        setting = ConfigurationSetting(key=key, label=label, value=raw)
        with self._errors(f"creating {key} {describe_label(label)}", key, label):
            return _to_flag(self._client.add_configuration_setting(setting))

    def _replace(self, current: FlagValue, raw: str) -> FlagValue:
        key, label = current.key, current.label
        setting = ConfigurationSetting(
            key=key,
            label=label,
            value=raw,
            content_type=current.content_type,
            tags=dict(current.tags),
        )
        with self._errors(f"updating {key} {describe_label(label)}", key, label):
            updated = self._client.set_configuration_setting(
                setting, match_condition=MatchConditions.IfNotModified, etag=current.etag
            )
        return _to_flag(updated)

    @contextmanager
    def _errors(self, action: str, key: str = "", label: str | None = None) -> Iterator[None]:
        """Translate SDK exceptions raised inside the block into one-line StoreErrors."""
        try:
            yield
        except HttpResponseError as exc:
            raise self._http_error(exc, action, key, label) from exc
        except (ServiceRequestError, ServiceResponseError) as exc:
            raise StoreUnreachableError(
                f"config store {self.endpoint} is unreachable ({_transport_reason(exc)}) "
                f"while {action}"
            ) from exc
        except AzureError as exc:
            raise StoreError(
                f"config store {self.endpoint} failed while {action} ({type(exc).__name__})"
            ) from exc

    def _http_error(
        self, exc: HttpResponseError, action: str, key: str, label: str | None
    ) -> StoreError:
        status = exc.status_code
        where = f"{self.endpoint} while {action}"
        if status == 412:
            return ConflictError(f"config store answered 412 (changed concurrently) at {where}")
        if status == 409 and key:
            return self._locked_error(key, label)
        if status == 401 or (status is None and isinstance(exc, ClientAuthenticationError)):
            return StoreAuthError(self._auth_message(exc, where))
        if status == 403:
            return StoreAuthError(
                f"config store denied access (HTTP 403) at {where}: the identity needs the "
                "App Configuration Data Owner role"
            )
        reason = f" {exc.reason}" if getattr(exc, "reason", None) else ""
        return StoreError(f"config store answered HTTP {status}{reason} at {where}")

    def _auth_message(self, exc: HttpResponseError, where: str) -> str:
        if exc.status_code is None:  # raised by azure-identity before any request was sent
            first = str(exc.message or type(exc).__name__).splitlines()[0][:200]
            return f"no usable Azure credential for {where}: {first}"
        if self.auth == HMAC:
            return (
                f"config store refused our credentials (HMAC signature invalid) at {where}: "
                f"check Id and Secret in {CONNECTION_STRING_VAR} and this machine's clock"
            )
        return f"config store refused our credentials (Entra ID token rejected) at {where}"


def _client_options(
    retry_total: int, timeout: float, extra: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Bounded retries and timeouts: a freeze must fail fast, not hang the window."""
    return {
        "retry_total": retry_total,
        "connection_timeout": timeout,
        "read_timeout": timeout,
        **(extra or {}),
    }


def _default_credential(variable: str) -> Any:
    """DefaultAzureCredential, imported lazily so azure-identity stays optional."""
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError:
        raise ConfigError(
            f"{variable} is set, which needs Entra ID credentials, but azure-identity is not "
            f"installed (pip install azure-identity) - or use {CONNECTION_STRING_VAR}"
        ) from None
    return DefaultAzureCredential()

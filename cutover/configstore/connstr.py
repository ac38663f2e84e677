"""Validate App Configuration connection strings and endpoints before the SDK sees them.

The SDK's own parser says only "Invalid connection string."; an on-call engineer needs to
know which variable and which part is wrong. Messages name parts, never their values: a
malformed string can put the secret anywhere.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cutover.errors import ConfigError

CONNECTION_STRING_VAR = "SOLVEREIGN_APPCONFIG_CONNECTION_STRING"
ENDPOINT_VAR = "SOLVEREIGN_APPCONFIG_ENDPOINT"

_PARTS = ("Endpoint", "Id", "Secret")
_SHAPE = "expected Endpoint=...;Id=...;Secret=..."


@dataclass(frozen=True)
class ConnectionParts:
    """The three parts of a connection string; the secret stays out of repr()."""

    endpoint: str
    credential_id: str
    secret: str = field(repr=False)


def _fail(variable: str, problem: str) -> ConfigError:
    return ConfigError(f"{variable} is malformed: {problem}")


def parse_connection_string(
    value: str | None, variable: str = CONNECTION_STRING_VAR
) -> ConnectionParts:
    """Split and check `Endpoint=...;Id=...;Secret=...` (docs/configuration.md);
    ConfigError otherwise."""
    text = (value or "").strip()
    if not text:
        raise ConfigError(f"{variable} is set but empty ({_SHAPE})")
    if text.endswith(";"):
        raise _fail(variable, f"trailing ';' ({_SHAPE}, exactly three parts)")
    segments = text.split(";")
    if len(segments) != 3:
        raise _fail(variable, f"{len(segments)} ';'-separated parts, {_SHAPE} (exactly three)")
    found: dict[str, str] = {}
    for position, segment in enumerate(segments, start=1):
        name, sep, part = segment.strip().partition("=")
        if not sep or name not in _PARTS:
            raise _fail(variable, f"part {position} is not one of Endpoint=, Id=, Secret=")
        if name in found:
            raise _fail(variable, f"the {name} part appears twice ({_SHAPE})")
        if not part:
            raise _fail(variable, f"the {name} part is empty")
        found[name] = part
    missing = [name for name in _PARTS if name not in found]
    if missing:
        raise _fail(variable, f"the {missing[0]} part is missing ({_SHAPE})")
    endpoint = check_endpoint(found["Endpoint"], variable, what="its Endpoint")
    _check_secret(found["Secret"], variable)
    return ConnectionParts(endpoint, found["Id"], found["Secret"])


def check_endpoint(value: str | None, variable: str = ENDPOINT_VAR, *, what: str = "") -> str:
    """An http(s) origin with no path and no trailing '/': the SDK signs paths relative to it."""
    subject = f"{variable} ({what})" if what else variable
    text = (value or "").strip()
    if not text:
        raise ConfigError(f"{subject} is empty; expected https://<name>.azconfig.io")
    if text.endswith("/"):
        raise ConfigError(f"{subject} ends with '/'; remove it (requests would be mis-signed)")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ConfigError(f"{subject} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{subject} must start with https:// (or http:// for a loopback store)")
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"{subject} must be a bare origin like https://<name>.azconfig.io")
    return text


def _check_secret(secret: str, variable: str) -> None:
    """The SDK base64-decodes the secret to sign each request; refuse what it would choke on."""
    try:
        decoded = base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError):
        raise _fail(variable, "the Secret part is not valid base64") from None
    if not decoded:
        raise _fail(variable, "the Secret part decodes to nothing")

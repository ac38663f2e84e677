"""Database URLs: validation with one-line errors, and masking for anything printed.

A URL is printed in many places (logs, reports, verdict lines); masking it in one
function keeps the password out of every one of them.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

from cutover.errors import ConfigError

_SCHEMES = ("postgresql", "postgres")
# A URL runs to the next whitespace or quote; its authority to the first '/', '?' or '#'.
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
# password=... in a URL query (?password=x&...) or a libpq key=value DSN (password='x y').
_PASSWORD_PARAM = re.compile(
    r"(\b(?:pg)?password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&'\"]+)", re.IGNORECASE
)


def _mask_authority(match: re.Match[str]) -> str:
    """Mask user:password@ in one URL; the last '@' ends the user info (passwords may hold '@')."""
    url = match.group(0)
    scheme, _, rest = url.partition("://")
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    userinfo, at, host = authority.rpartition("@")
    if at and ":" in userinfo:
        authority = userinfo.partition(":")[0] + ":***@" + host
    return f"{scheme}://{authority}{tail}"


def mask_url(url: str) -> str:
    """Return the text with every password replaced by `***` (keeps user, host, db).

    Covers URL user info (`user:pw@host`, also when pw holds '@'), `?password=` query
    parameters and libpq key=value strings (`password=pw`, `password='p w'`).
    """
    return _PASSWORD_PARAM.sub(r"\1***", _URL.sub(_mask_authority, url))


def mask_text(text: str, secrets: list[str] | None = None) -> str:
    """Mask URL passwords and the given secret values inside free text."""
    out = mask_url(text)
    for secret in secrets or []:
        if secret:
            out = out.replace(secret, "***")
    return out


def validate_url(url: str | None, name: str = "SOLVEREIGN_DB_URL") -> str:
    """Check that `url` looks like a PostgreSQL URL; raise ConfigError naming `name`."""
    if url is None or not url.strip():
        raise ConfigError(f"{name} is not set (expected postgresql://user@host:port/dbname)")
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a non-numeric port
    except ValueError as exc:
        raise ConfigError(f"{name} is not a valid URL ({exc}): {mask_url(url)}") from None
    if parts.scheme not in _SCHEMES:
        raise ConfigError(
            f"{name} must start with postgresql:// (got {parts.scheme or 'no scheme'!r}): "
            f"{mask_url(url)}"
        )
    if not parts.hostname and "host=" not in parts.query:
        raise ConfigError(f"{name} names no host: {mask_url(url)}")
    if port is not None and not 0 < port < 65536:
        raise ConfigError(f"{name} has an invalid port {port}: {mask_url(url)}")
    if not parts.path.strip("/"):
        raise ConfigError(f"{name} names no database: {mask_url(url)}")
    return url


def with_database(url: str, dbname: str) -> str:
    """Return `url` pointing at another database on the same server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


def endpoint(url: str) -> str:
    """host:port/dbname: which database a URL reaches, whoever logs in (no secrets)."""
    parts = urlsplit(url)
    return f"{parts.hostname or ''}:{parts.port or 5432}/{parts.path.lstrip('/')}"


def database_name(url: str) -> str:
    """The database a URL points at."""
    return urlsplit(url).path.lstrip("/")


def role_url(admin_url: str, user: str, password: str | None, dbname: str) -> str:
    """Build a URL for another role on the same server (password percent-encoded)."""
    parts = urlsplit(admin_url)
    auth = quote(user, safe="")
    if password is not None:
        auth += ":" + quote(password, safe="")
    host = parts.hostname or ""
    netloc = f"{auth}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc, path="/" + dbname))

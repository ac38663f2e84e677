"""Settings from flags and the environment, validated into one-line errors (docs/configuration.md).

Every command resolves its target the same way: the flag wins, then the environment;
a value that is missing or malformed is reported naming the variable, exit 2.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from cutover.errors import ConfigError
from cutover.pg.url import validate_url

ENVIRONMENTS = ("development", "staging", "production")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MIN_SECRET_BYTES = 32
ADMIN_URL_VAR = "SOLVEREIGN_ADMIN_DB_URL"  # may CREATE DATABASE: restore check, rollback
BACKUP_URL_VAR = "SOLVEREIGN_BACKUP_DB_URL"  # the backup role, which reads every row
APP_SECRET_VARS = ("SOLVEREIGN_SESSION_SECRET", "SOLVEREIGN_HMAC_SECRET")


def db_url(flag: str | None, env: Mapping[str, str] | None = None,
           name: str = "SOLVEREIGN_DB_URL") -> str:
    """The database URL from `--db-url` or the environment, validated."""
    env = os.environ if env is None else env
    value = flag if flag else env.get(name)
    label = "--db-url" if flag else name
    return validate_url(value, label)


def environment(flag: str | None, env: Mapping[str, str] | None = None) -> str:
    """`--env` or SOLVEREIGN_ENV, one of development|staging|production."""
    env = os.environ if env is None else env
    value = (flag or env.get("SOLVEREIGN_ENV") or "").strip()
    label = "--env" if flag else "SOLVEREIGN_ENV"
    if not value:
        raise ConfigError(f"{label} is not set (expected one of {', '.join(ENVIRONMENTS)})")
    if value not in ENVIRONMENTS:
        raise ConfigError(f"{label} must be one of {', '.join(ENVIRONMENTS)} (got {value!r})")
    return value


def secret(name: str, env: Mapping[str, str] | None = None, *, required: bool = True) -> str | None:
    """A secret of at least 32 bytes; the error names the variable, never the value."""
    env = os.environ if env is None else env
    value = env.get(name)
    if not value:
        if required:
            raise ConfigError(f"{name} is not set (a secret of at least {MIN_SECRET_BYTES} bytes)")
        return None
    if len(value.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"{name} is too short ({len(value.encode())} bytes; at least {MIN_SECRET_BYTES})"
        )
    return value


def boolean(name: str, env: Mapping[str, str] | None = None, default: bool = False) -> bool:
    """A true/false setting; anything else is an error naming the variable."""
    env = os.environ if env is None else env
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    low = raw.strip().lower()
    if low in ("true", "1", "yes"):
        return True
    if low in ("false", "0", "no"):
        return False
    raise ConfigError(f"{name} must be true or false (got {raw!r})")


def log_level(env: Mapping[str, str] | None = None) -> str:
    """SOLVEREIGN_LOG_LEVEL, defaulting to INFO."""
    env = os.environ if env is None else env
    value = (env.get("SOLVEREIGN_LOG_LEVEL") or "INFO").upper()
    if value not in LOG_LEVELS:
        raise ConfigError(f"SOLVEREIGN_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    return value


def app_secrets(env: Mapping[str, str] | None = None) -> list[str]:
    """The application's secrets that are set: a command masks them in all it prints."""
    env = os.environ if env is None else env
    return [v for k in APP_SECRET_VARS if (v := env.get(k))]

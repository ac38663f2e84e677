"""The API's settings, read once from the environment and validated into one-line errors.

Everything the process needs is here, so the app factory takes one object and tests can
build an app without touching os.environ. Secrets are kept in fields excluded from repr.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from cutover import settings as common
from cutover.configstore import flag_label
from cutover.errors import ConfigError
from cutover.pg.url import validate_url
from sandbox.api.faults import FAULTS_VAR, Faults, parse_faults

DEFAULT_REFRESH_SECONDS = 2.0
DEFAULT_POOL_SIZE = 4
DEFAULT_SKEW_SECONDS = 300
DEFAULT_SESSION_TTL = 8 * 3600
DEFAULT_LOGIN_MAX_FAILURES = 5
DEFAULT_LOGIN_MAX_FAILURES_PER_CLIENT = 100
DEFAULT_LOGIN_WINDOW_SECONDS = 300


@dataclass(frozen=True)
class ApiSettings:
    """What the API process runs with; build it with `from_env`."""

    api_db_url: str = field(repr=False)
    platform_db_url: str = field(repr=False)
    session_secret: str = field(repr=False)
    hmac_secret: str = field(repr=False)
    env: str = "development"
    log_level: str = "INFO"
    flag_refresh_seconds: float = DEFAULT_REFRESH_SECONDS
    flag_label: str | None = None
    pool_size: int = DEFAULT_POOL_SIZE
    signature_skew_seconds: int = DEFAULT_SKEW_SECONDS
    session_ttl_seconds: int = DEFAULT_SESSION_TTL
    login_max_failures: int = DEFAULT_LOGIN_MAX_FAILURES
    login_max_failures_per_client: int = DEFAULT_LOGIN_MAX_FAILURES_PER_CLIENT
    login_window_seconds: int = DEFAULT_LOGIN_WINDOW_SECONDS
    faults: Faults = field(default_factory=Faults)
    store_env: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def production(self) -> bool:
        return self.env == "production"

    def secrets(self) -> list[str]:
        """Every secret value the log filter must never let through."""
        from urllib.parse import urlsplit

        out = [self.session_secret, self.hmac_secret]
        for url in (self.api_db_url, self.platform_db_url):
            password = urlsplit(url).password
            if password:
                out.append(password)
        return out

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ApiSettings:
        """Validate every variable; the first problem is a ConfigError naming it."""
        env = dict(os.environ if env is None else env)
        environment = common.environment(None, env)
        faults = parse_faults(env.get(FAULTS_VAR, ""))
        if faults and environment == "production":
            raise ConfigError(f"{FAULTS_VAR} is test infrastructure and is refused when "
                              "SOLVEREIGN_ENV=production")
        return cls(
            api_db_url=validate_url(env.get("SOLVEREIGN_API_DB_URL"), "SOLVEREIGN_API_DB_URL"),
            platform_db_url=validate_url(env.get("SOLVEREIGN_PLATFORM_DB_URL"),
                                         "SOLVEREIGN_PLATFORM_DB_URL"),
            session_secret=str(common.secret("SOLVEREIGN_SESSION_SECRET", env)),
            hmac_secret=str(common.secret("SOLVEREIGN_HMAC_SECRET", env)),
            env=environment,
            log_level=common.log_level(env),
            flag_refresh_seconds=_number(env, "SOLVEREIGN_FLAG_REFRESH_SECONDS",
                                         DEFAULT_REFRESH_SECONDS, 0.05, 3600),
            flag_label=flag_label(env),
            pool_size=int(_number(env, "SOLVEREIGN_API_POOL_SIZE", DEFAULT_POOL_SIZE, 1, 100)),
            signature_skew_seconds=int(_number(env, "SOLVEREIGN_SIGNATURE_MAX_SKEW",
                                               DEFAULT_SKEW_SECONDS, 1, 86400)),
            session_ttl_seconds=int(_number(env, "SOLVEREIGN_SESSION_TTL_SECONDS",
                                            DEFAULT_SESSION_TTL, 60, 7 * 86400)),
            login_max_failures=int(_number(env, "SOLVEREIGN_LOGIN_MAX_FAILURES",
                                           DEFAULT_LOGIN_MAX_FAILURES, 1, 1000)),
            login_max_failures_per_client=int(_number(
                env, "SOLVEREIGN_LOGIN_MAX_FAILURES_PER_CLIENT",
                DEFAULT_LOGIN_MAX_FAILURES_PER_CLIENT, 1, 100_000)),
            login_window_seconds=int(_number(env, "SOLVEREIGN_LOGIN_WINDOW_SECONDS",
                                             DEFAULT_LOGIN_WINDOW_SECONDS, 1, 86400)),
            faults=faults,
            store_env=env,
        )


def _number(env: Mapping[str, str], name: str, default: float, low: float,
            high: float) -> float:
    """A bounded number setting; an unparsable or out-of-range value names the variable."""
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number (got {raw!r})") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g} (got {raw!r})")
    return value

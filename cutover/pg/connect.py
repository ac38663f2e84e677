"""Connecting to the target with psycopg, with failures turned into one clear line.

The gate and the mutations must tell an on-call engineer *why* a connection failed
(unreachable, wrong password, missing database) without printing the password.
"""

from __future__ import annotations

import psycopg

from cutover.errors import TargetError
from cutover.pg.url import mask_url, validate_url

DEFAULT_CONNECT_TIMEOUT = 10


def describe_connect_error(exc: BaseException, url: str) -> str:
    """Classify a psycopg connection failure into one human line."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    low = str(exc).lower()
    target = mask_url(url)
    if "password authentication failed" in low or "no password supplied" in low:
        return f"authentication failed for {target} (wrong user or password)"
    if "does not exist" in low and "database" in low:
        return f"database does not exist: {target}"
    if "role" in low and "does not exist" in low:
        return f"role does not exist: {target}"
    if any(s in low for s in ("connection refused", "could not connect", "timeout", "no route")):
        return f"server unreachable at {target} ({text})"
    if "could not translate host name" in low or "name or service not known" in low:
        return f"unknown host in {target}"
    return f"cannot connect to {target}: {text}"


def connect(
    url: str,
    *,
    name: str = "SOLVEREIGN_DB_URL",
    autocommit: bool = True,
    timeout: int = DEFAULT_CONNECT_TIMEOUT,
    application_name: str = "cutover",
    **kwargs: object,
) -> psycopg.Connection:
    """Open a connection or raise TargetError with a masked, classified message."""
    validate_url(url, name)
    try:
        return psycopg.connect(
            url,
            autocommit=autocommit,
            connect_timeout=timeout,
            application_name=application_name,
            **kwargs,
        )
    except psycopg.Error as exc:
        raise TargetError(describe_connect_error(exc, url)) from None

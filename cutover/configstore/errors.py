"""Config-store errors: each one line, naming the key or variable, never a secret.

They derive from the project's error types so the CLI turns them into one line and
exit code 2 (docs/configuration.md) instead of a traceback at 02:00.
"""

from __future__ import annotations

from cutover.errors import ConfigError, TargetError


class StoreError(TargetError):
    """The config store could not be used: unreachable, refused us or answered oddly."""


class StoreAuthError(StoreError):
    """The store refused our credentials (HTTP 401/403)."""


class StoreUnreachableError(StoreError):
    """No answer from the store (connection refused, DNS failure, timeout)."""


class FlagNotFoundError(StoreError):
    """The key does not exist under the requested label."""


class KeyLockedError(StoreError):
    """The key-value is locked (read-only); it must be unlocked before it can change."""


class ConflictError(StoreError):
    """A conditional write lost against a concurrent writer (HTTP 412)."""


class InvalidFlagValueError(ConfigError):
    """The stored flag is not the string "true" or "false"."""


def describe_label(label: str | None) -> str:
    """Render a label for messages; the null label is easy to confuse with the label "null"."""
    return "(null label)" if label is None else f"label {label!r}"

"""Error types that map to the documented exit codes (docs/configuration.md, docs/exit-codes.md).

Commands raise these; the CLI turns them into one line on stderr and the exit
code, so an on-call engineer never reads a traceback as a verdict.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_BAD_INPUT = 2
EXIT_CRASH = 3


class CutoverError(Exception):
    """Base class: a problem the tool can describe in one line."""

    exit_code = EXIT_BAD_INPUT


class ConfigError(CutoverError):
    """A missing or malformed setting, flag, URL or file (exit 2)."""

    exit_code = EXIT_BAD_INPUT


class TargetError(CutoverError):
    """The target could not be reached or refused us (exit 2)."""

    exit_code = EXIT_BAD_INPUT


class MigrationError(CutoverError):
    """A migration could not be applied; nothing of the failing file remains (exit 2)."""

    exit_code = EXIT_BAD_INPUT

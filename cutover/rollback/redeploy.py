"""The redeploy hook: a command template that brings the previous application build back.

SOLVEREIGN_REDEPLOY_COMMAND is split with shlex first and the placeholders are filled in
each argument afterwards, and the command runs without a shell: a value such as a tag can
never become a second argument or a shell construct. Unknown placeholders are refused when
the template is parsed, before the rollback changes anything.

    SOLVEREIGN_REDEPLOY_COMMAND='systemctl restart solvereign-api@{rollback_sha}'
"""

from __future__ import annotations

import os
import shlex
import string
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cutover.errors import EXIT_FAIL, ConfigError, CutoverError
from cutover.pg.url import mask_text

COMMAND_VAR = "SOLVEREIGN_REDEPLOY_COMMAND"
TIMEOUT_VAR = "SOLVEREIGN_REDEPLOY_TIMEOUT"
PLACEHOLDERS = ("rollback_sha", "rc_tag", "database", "backup")
DEFAULT_TIMEOUT = 600.0


class RedeployFailed(CutoverError):
    """The redeploy command failed or timed out (exit 1)."""

    exit_code = EXIT_FAIL


@dataclass(frozen=True)
class RedeployCommand:
    """A parsed template; `argv(values)` fills it."""

    template: tuple[str, ...]
    timeout: float

    @property
    def fields(self) -> set[str]:
        """Placeholders the template uses."""
        return {f for arg in self.template for _t, f, _s, _c in string.Formatter().parse(arg)
                if f}

    def argv(self, values: Mapping[str, str]) -> list[str]:
        """The command with every placeholder filled (each stays inside its argument)."""
        missing = sorted(f for f in self.fields if not values.get(f))
        if missing:
            raise ConfigError(f"{COMMAND_VAR} uses {{{missing[0]}}} but no value is known "
                              "for it (is the last-known-good file present?)")
        return [arg.format_map(dict(values)) for arg in self.template]


def parse(env: Mapping[str, str] | None = None) -> RedeployCommand | None:
    """The configured command, None when unset; ConfigError for a malformed template."""
    env = os.environ if env is None else env
    raw = env.get(COMMAND_VAR)
    if raw is None or not raw.strip():
        return None
    try:
        argv = shlex.split(raw)
    except ValueError as exc:
        raise ConfigError(f"{COMMAND_VAR} cannot be split like a shell command ({exc})") from None
    for arg in argv:
        try:
            fields = [f for _t, f, _s, _c in string.Formatter().parse(arg)]
        except ValueError as exc:
            raise ConfigError(f"{COMMAND_VAR} has a malformed placeholder ({exc})") from None
        unknown = sorted(f for f in fields if f is not None and f not in PLACEHOLDERS)
        if unknown:
            raise ConfigError(f"{COMMAND_VAR} uses unknown placeholder {{{unknown[0]}}} "
                              f"(known: {', '.join(PLACEHOLDERS)})")
    timeout_raw = env.get(TIMEOUT_VAR) or str(DEFAULT_TIMEOUT)
    try:
        timeout = float(timeout_raw)
    except ValueError:
        raise ConfigError(f"{TIMEOUT_VAR} must be a number of seconds "
                          f"(got {timeout_raw!r})") from None
    return RedeployCommand(tuple(argv), timeout)


def run(command: RedeployCommand, values: Mapping[str, str],
        secrets: Sequence[str] = ()) -> str:
    """Run it without a shell; returns its masked output, RedeployFailed on failure."""
    argv = command.argv(values)
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=command.timeout,
                              check=False, shell=False)
    except FileNotFoundError:
        raise RedeployFailed(f"redeploy command not found: {argv[0]}") from None
    except subprocess.TimeoutExpired:
        raise RedeployFailed(f"redeploy command timed out after {command.timeout:g}s") from None
    output = mask_text((proc.stdout + proc.stderr).strip(), list(secrets))
    if proc.returncode != 0:
        last = output.splitlines()[-1] if output else "(no output)"
        raise RedeployFailed(f"redeploy command exited {proc.returncode}: {last}")
    return output

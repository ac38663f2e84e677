"""Argument types checked at parse time: a malformed flag is bad input (one line, the
command's bad-input code) before anything connects or changes, never a crash later (exit 3).
"""

from __future__ import annotations

import argparse
import math
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn


class _Version(argparse.Action):
    """`--version`: an approver must be able to tell which tool (and which release it would
    record) produced the evidence. Resolved only when asked: reading git is not free."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the tool's version and the release it would record")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from cutover import release

        print(release.version_line(parser.prog))  # stdout, as argparse's own --version
        parser.exit(0)


class OneLineParser(argparse.ArgumentParser):
    """argparse prints its whole usage block before a bad-input error; at 02:00 the on-call
    needs one line naming what is wrong (exit 2, as every bad input), and `--help` for more.
    Sub-commands inherit it (add_subparsers builds them with the parent's class), and every
    parser answers `--version`."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.add_argument("--version", action=_Version)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


# PostgreSQL's duration syntax for lock_timeout and friends: a number, optional unit.
_DURATION = re.compile(r"^\s*\d+(\.\d+)?\s*(us|ms|s|min|h|d)?\s*$")


def pg_duration(value: str) -> str:
    """A PostgreSQL duration ('5s', '500ms', '2min', '3000'); returned unchanged."""
    if not _DURATION.match(value or ""):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a duration (a number with an optional unit us, ms, s, min, h, "
            "d: e.g. 5s)")
    return value.strip()


def _number(value: str, kind: type, low: float | None, strict: bool) -> float | int:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not {'an integer' if kind is int else 'a number'}") from None
    if kind is float and not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"{value!r} is not a finite number")
    if low is not None and (number <= low if strict else number < low):
        raise argparse.ArgumentTypeError(
            f"{value!r} must be {'greater than' if strict else 'at least'} {low:g}")
    return number


def positive_int(value: str) -> int:
    """An integer >= 1 (worker counts, iterations)."""
    return int(_number(value, int, 1, False))


def nonnegative_int(value: str) -> int:
    """An integer >= 0."""
    return int(_number(value, int, 0, False))


def positive_float(value: str) -> float:
    """A finite number > 0 (seconds of a window or an interval)."""
    return float(_number(value, float, 0, True))


def nonnegative_float(value: str) -> float:
    """A finite number >= 0 (a wait that may be skipped)."""
    return float(_number(value, float, 0, False))


def _first_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def output_dir(value: str) -> Path:
    """A folder we can write into: an existing writable directory, or one that can be
    created (its nearest existing ancestor is a writable directory)."""
    path = Path(value)
    if path.exists():
        if not path.is_dir():
            raise argparse.ArgumentTypeError(f"{value} exists and is not a directory")
        if not os.access(path, os.W_OK | os.X_OK):
            raise argparse.ArgumentTypeError(f"{value} is not writable")
        return path
    base = _first_existing(path.absolute())
    if not base.is_dir():
        raise argparse.ArgumentTypeError(f"{value} cannot be created: {base} is not a directory")
    if not os.access(base, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"{value} cannot be created: {base} is not writable")
    return path


def _existing(value: str, is_kind: Callable[[Path], bool], kind: str, access: int) -> Path:
    """An existing path of one kind that we may read: the first thing wrong, in one line."""
    path = Path(value)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{value} does not exist")
    if not is_kind(path):
        raise argparse.ArgumentTypeError(f"{value} is not {kind}")
    if not os.access(path, access):
        raise argparse.ArgumentTypeError(f"{value} is not readable")
    return path


def input_file(value: str) -> Path:
    """An existing, readable regular file."""
    return _existing(value, Path.is_file, "a file", os.R_OK)


def output_file(value: str) -> Path:
    """A file we can (over)write: not a directory, in a folder output_dir accepts."""
    path = Path(value)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a directory, not a file")
    if path.exists() and not os.access(path, os.W_OK):
        raise argparse.ArgumentTypeError(f"{value} is not writable")
    try:
        output_dir(str(path.parent if str(path.parent) else "."))
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{value}: {exc}") from None
    return path


def input_dir(value: str) -> Path:
    """An existing, readable directory (an evidence bundle, the migrations folder)."""
    return _existing(value, Path.is_dir, "a directory", os.R_OK | os.X_OK)

"""The `cutover` console script: one argparse tree, subcommands registered by module.

Each command module exposes `register(subparsers)`, which adds its parser and sets
`func` to a callable taking the parsed namespace and returning an exit code.
Errors the tool understands become one line and their documented exit code;
anything else is a crash (exit 3), never mistaken for a verdict.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from cutover import argtypes
from cutover.errors import EXIT_CRASH, CutoverError

# Modules that contribute subcommands, in help order. Add a line to add a command.
COMMAND_MODULES = [
    "cutover.cli.sandbox",
    "cutover.cli.staging",
    "cutover.cli.migrate",
    "cutover.cli.rehearse",
    "cutover.cli.evidence",
    "cutover.cli.watch",
    "cutover.cli.freeze",
    "cutover.cli.approve",
    "cutover.cli.lkg",
    "cutover.cli.roster",
    "cutover.cli.recovery",
]


def build_parser() -> argparse.ArgumentParser:
    """Assemble the parser from every registered command module."""
    parser = argtypes.OneLineParser(prog="cutover", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a command module not written yet
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse, dispatch, translate errors into exit codes."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # the command's own usage error: the watch's is 3 (UNKNOWN), never 2 = roll back
        getattr(args, "usage_error", parser.error)(f"unrecognized arguments: {' '.join(extra)}")
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(func(args) or 0)
    except CutoverError as exc:
        print(f"cutover: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("cutover: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        print(f"cutover: internal error ({type(exc).__name__}): {exc}", file=sys.stderr)
        return EXIT_CRASH


if __name__ == "__main__":
    sys.exit(main())

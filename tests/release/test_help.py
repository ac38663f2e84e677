"""Every option of every entry point explains itself: a help line, the default it falls back
to, and the environment variable it reads where one applies (issue 21.3). A newcomer reads
`--help`, not the source; an option without help, or whose default is a surprise, is a
question at 02:00 nobody is awake to answer.

The parsers are the real ones: `cutover` and every subcommand from build_parser(), each
script's from its own build_parser(); `--help` also runs as a subprocess through every
wrapper, so the shell scripts show the same options."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cutover import argtypes

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CONFIGURATION = REPO / "docs" / "configuration.md"


def _script(path: str) -> Callable[[], argparse.ArgumentParser]:
    """A script's build_parser (scripts/ is not a package: loaded from its file)."""
    def build() -> argparse.ArgumentParser:
        spec = importlib.util.spec_from_file_location(f"_entry_{Path(path).stem}", REPO / path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.build_parser()
    return build


def _module(name: str) -> Callable[[], argparse.ArgumentParser]:
    def build() -> argparse.ArgumentParser:
        module = importlib.import_module(name)
        return module.build_parser()
    return build


# entry point: (the command a user types, the parser it builds)
ENTRY_POINTS = {
    "cutover": ([str(BIN / "cutover")], _module("cutover.cli.main")),
    "prod_preflight_check.py": ([sys.executable, "scripts/prod_preflight_check.py"],
                                _script("scripts/prod_preflight_check.py")),
    "run_sick_call_drill.py": ([sys.executable, "scripts/run_sick_call_drill.py"],
                               _script("scripts/run_sick_call_drill.py")),
    "security_gate.sh": (["./scripts/ci/security_gate.sh"],
                         _script("scripts/ci/security_gate.py")),
    "wien_roster_gate.sh": (["./scripts/ci/wien_roster_gate.sh"],
                            _script("scripts/ci/wien_roster_gate.py")),
    "prod_cutover.sh": (["./scripts/prod_cutover.sh"], _module("cutover.runbook.prod_cutover")),
    "w02_staging_soak.sh": (["./scripts/w02_staging_soak.sh"], _module("cutover.cli.soak")),
}

# Options that fall back to an environment variable: their help must name it.
VARIABLE_OF_FLAG = {
    "--db-url": ("SOLVEREIGN_DB_URL", "SOLVEREIGN_BACKUP_DB_URL"),
    "--admin-url": ("SOLVEREIGN_ADMIN_DB_URL",),
    "--verify-url": ("SOLVEREIGN_BACKUP_DB_URL",),
    "--backup-url": ("SOLVEREIGN_BACKUP_DB_URL",),
    "--api-url": ("SOLVEREIGN_API_URL",),
    "--env": ("SOLVEREIGN_ENV",),
    "--rc-tag": ("SOLVEREIGN_RC_TAG",),
    "--release-sha": ("SOLVEREIGN_RELEASE_SHA",),
    "--release-manifest": ("SOLVEREIGN_RELEASE_MANIFEST",),
    "--public-key": ("SOLVEREIGN_EVIDENCE_PUBLIC_KEY",),
    "--lkg-file": ("SOLVEREIGN_LKG_FILE",),
    "--pg-bin": ("SOLVEREIGN_PG_BIN",),
}
VARIABLE_OF_OPTION = {  # the same, where the flag's name is not enough
    ("cutover migrate", "--dir"): "SOLVEREIGN_MIGRATIONS_DIR",
    ("cutover sandbox up", "--data-dir"): "SOLVEREIGN_SANDBOX_DIR",
    ("cutover sandbox down", "--data-dir"): "SOLVEREIGN_SANDBOX_DIR",
    ("cutover sandbox redeploy", "--data-dir"): "SOLVEREIGN_SANDBOX_DIR",
    ("cutover sandbox status", "--data-dir"): "SOLVEREIGN_SANDBOX_DIR",
    ("cutover backup", "--out"): "SOLVEREIGN_BACKUP_DIR",
    ("cutover rollback", "--artifacts-dir"): "SOLVEREIGN_ARTIFACTS_DIR",
}
NO_VARIABLE = {  # a flag of the table above that, here, deliberately reads none
    ("w02_staging_soak.sh", "--db-url"): "the soak cuts its target over: never from the "
                                          "environment alone",
}
SWITCHES = (argparse._StoreTrueAction, argparse._StoreFalseAction, argparse._StoreConstAction,
            argparse._CountAction, argparse._AppendConstAction)


def walk(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parser and every sub-command's, depth first."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from walk(sub)


def _name(action: argparse.Action) -> str:
    return max(action.option_strings, key=len) if action.option_strings else action.dest


def _shown(default: object) -> tuple[str, ...]:
    """How a default may read in help: 30.0 as '30.0' or '30'."""
    if isinstance(default, float):
        return (str(default), f"{default:g}")
    return (str(default),)


def _documented_variables() -> set[str]:
    return set(re.findall(r"SOLVEREIGN_[A-Z0-9_]+", CONFIGURATION.read_text()))


def problems(parser: argparse.ArgumentParser, documented: set[str] | None = None) -> list[str]:
    """One line per option of `parser` (not its sub-commands) whose help falls short."""
    found = []
    formatter = parser._get_formatter()
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        where = f"{parser.prog} {_name(action)}"
        if not action.help or action.help == argparse.SUPPRESS:
            found.append(f"{where}: no help")
            continue
        text = " ".join(formatter._expand_help(action).split())
        default = action.default
        if default not in (None, argparse.SUPPRESS) and not isinstance(action, SWITCHES) and \
                ("default" not in text or not any(s in text for s in _shown(default))):
            found.append(f"{where}: help does not state the default {default!r}")
        wanted = VARIABLE_OF_FLAG.get(_name(action), ())
        if (parser.prog, _name(action)) in VARIABLE_OF_OPTION:
            wanted = (VARIABLE_OF_OPTION[(parser.prog, _name(action))],)
        if wanted and not action.required and (parser.prog, _name(action)) not in NO_VARIABLE \
                and not any(var in text for var in wanted):
            found.append(f"{where}: help does not name its variable {' or '.join(wanted)}")
        for var in re.findall(r"SOLVEREIGN_[A-Z0-9_]+", text):
            if documented is not None and var not in documented:
                found.append(f"{where}: help names {var}, which docs/configuration.md does "
                             "not list")
    return found


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_every_option_has_help_with_its_default_and_variable(entry):
    documented = _documented_variables()
    parsers = list(walk(ENTRY_POINTS[entry][1]()))
    found = [line for p in parsers for line in problems(p, documented)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_help_runs_through_the_wrapper_and_lists_every_option(entry):
    """The command a user types shows the same options (a wrapper drops none)."""
    cmd, build = ENTRY_POINTS[entry]
    parser = build()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    proc = subprocess.run([*cmd, "--help"], cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=False,
                          env={**environ, "PATH": f"{BIN}:{os.environ['PATH']}"})
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    missing = [flag for a in parser._actions for flag in a.option_strings
               if flag not in proc.stdout]
    assert not missing, missing


def test_the_walk_names_each_shortfall():
    """The rule itself can fail: each kind of shortfall is named with its option."""
    parser = argtypes.OneLineParser(prog="demo")
    parser.add_argument("--bare")
    parser.add_argument("--count", type=int, default=7, help="how many")
    parser.add_argument("--ratio", type=float, default=0.5, help="a share (default: 0.25)")
    parser.add_argument("--api-url", help="the API")
    parser.add_argument("--db-url", help="the database (default: $SOLVEREIGN_NOT_A_SETTING)")
    parser.add_argument("--fine", type=float, default=30.0, help="seconds (default: %(default)s)")
    parser.add_argument("--flag", action="store_true", help="a switch")
    assert problems(parser, {"SOLVEREIGN_DB_URL"}) == [
        "demo --bare: no help",
        "demo --count: help does not state the default 7",
        "demo --ratio: help does not state the default 0.5",
        "demo --api-url: help does not name its variable SOLVEREIGN_API_URL",
        "demo --db-url: help does not name its variable SOLVEREIGN_DB_URL or "
        "SOLVEREIGN_BACKUP_DB_URL",
        "demo --db-url: help names SOLVEREIGN_NOT_A_SETTING, which docs/configuration.md does "
        "not list",
    ]

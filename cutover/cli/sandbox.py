"""`cutover sandbox up|down|status`: the stand-in platform as the default target (README.md).

The sandbox is a separate system; this module only starts and stops it, the way a
user would, and prints what a gate run needs for `eval`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cutover import argtypes
from cutover.errors import ConfigError

DATA_DIR_HELP = "the sandbox's directory (default: $SOLVEREIGN_SANDBOX_DIR, else ./.sandbox)"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `sandbox up`, `sandbox down` and `sandbox status`."""
    p = subparsers.add_parser("sandbox", help="run the embedded SOLVEREIGN stand-in")
    sub = p.add_subparsers(dest="sandbox_action", metavar="ACTION", required=True)
    up = sub.add_parser("up", help="start (or reuse) the sandbox; prints export lines")
    up.add_argument("--at", choices=["pre", "latest"], default="pre",
                    help="schema state: pre (001..024) or latest (every migration) "
                    "(default: %(default)s)")
    up.add_argument("--with-api", action="store_true", help="also start the HTTP API")
    up.add_argument("--traffic", action="store_true",
                    help="with --with-api: also start the sandbox's clients, a steady mix of "
                    "authenticated reads (never a write), so `cutover watch` has traffic to "
                    "judge (stopped by `sandbox down`)")
    up.add_argument("--traffic-rate", type=_traffic_rate, default=2.0, metavar="PER_SECOND",
                    help="requests a second the clients send (default: %(default)s)")
    up.add_argument("--data-dir", type=argtypes.output_dir,
                    help="sandbox directory (default: $SOLVEREIGN_SANDBOX_DIR, else "
                    "./.sandbox)")
    up.add_argument("--seed", type=argtypes.nonnegative_int, default=94,
                    help="seed of the generated data (default: %(default)s)")
    up.add_argument("--profile", choices=["superuser", "managed"], default="superuser",
                    help="managed: Azure Flexible Server's model, the admin login (the "
                    "migrator) has CREATEDB CREATEROLE and no superuser; no superuser URL "
                    "is exported (default: %(default)s)")
    add_pg_bin(up)
    up.set_defaults(func=_up)
    down = sub.add_parser("down", help="stop the sandbox and remove its directory")
    down.add_argument("--data-dir", type=Path, help=DATA_DIR_HELP)
    down.add_argument("--keep", action="store_true", help="stop but keep the data directory")
    down.set_defaults(func=_down)
    redeploy = sub.add_parser("redeploy", help="restart the sandbox API (the rollback's "
                                               "SOLVEREIGN_REDEPLOY_COMMAND in the sandbox)")
    redeploy.add_argument("--data-dir", type=Path, help=DATA_DIR_HELP)
    redeploy.set_defaults(func=_redeploy)
    status = sub.add_parser("status", help="show whether the sandbox runs and its schema head")
    status.add_argument("--data-dir", type=Path, help=DATA_DIR_HELP)
    status.set_defaults(func=_status)


def add_pg_bin(parser: argparse.ArgumentParser) -> None:
    """`--pg-bin DIR`, shared by `sandbox up` and `rehearse`."""
    parser.add_argument("--pg-bin", metavar="DIR",
                        help="run the sandbox on the PostgreSQL binaries in DIR (initdb, "
                        "pg_ctl, postgres, pg_dump, pg_restore, psql), e.g. "
                        "/usr/lib/postgresql/15/bin (default: $SOLVEREIGN_PG_BIN, else the "
                        "pgserver wheel's PostgreSQL 16)")


def pg_bin(args: argparse.Namespace) -> Path | None:
    """The validated server folder (None: the wheel); bad input is a ConfigError (exit 2)."""
    from cutover.pg.embedded import chosen_bin_dir

    return chosen_bin_dir(args.pg_bin)


def _traffic_rate(text: str) -> float:
    """--traffic-rate: above 0, at most 50 a second (the clients are small by design)."""
    from sandbox.traffic import positive_rate

    return positive_rate(text)


def _root(args: argparse.Namespace) -> Path:
    from sandbox.state import default_root

    return args.data_dir.resolve() if args.data_dir else default_root()


def _up(args: argparse.Namespace) -> int:
    from sandbox import manage

    if args.traffic and not args.with_api:  # refused before anything starts
        raise ConfigError("--traffic needs --with-api (the clients read from the API)")

    def log(line: str) -> None:
        print(f"# {line}", file=sys.stderr)

    state = manage.up(_root(args), at=args.at, seed=args.seed, log=log,
                      profile=args.profile, pg_bin=pg_bin(args))
    if args.with_api:
        manage.start_api(state, log=log)
    if args.traffic:
        from sandbox import traffic_process

        traffic_process.start(state, args.traffic_rate, log=log)
    for line in manage.export_lines(state):
        print(line)
    print(f"# sandbox ready at {state.root} (schema {state.at})", file=sys.stderr)
    return 0


def _down(args: argparse.Namespace) -> int:
    from sandbox import manage

    root = _root(args)
    print(f"sandbox {'stopped' if manage.down(root, keep=args.keep) else 'was not running'}"
          f": {root}")
    return 0


def _redeploy(args: argparse.Namespace) -> int:
    from sandbox import manage

    print(manage.redeploy(_root(args)))  # one line: the rollback reports the last one
    return 0


def _status(args: argparse.Namespace) -> int:
    from sandbox import status

    lines = status.describe(_root(args))
    if lines is None:
        print(f"no sandbox in {_root(args)}")
        return 1
    for line in lines:
        print(line)
    return 0

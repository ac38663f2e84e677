"""`cutover migrate` and `cutover migrate status` (README.md)."""

from __future__ import annotations

import argparse

from cutover import argtypes, settings
from cutover.migrate.files import default_directory
from cutover.migrate.runner import RunnerOptions, migrate
from cutover.migrate.status import status
from cutover.pg.url import mask_url


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `migrate` (apply) with its `status` sub-command."""
    p = subparsers.add_parser("migrate", help="apply pending migrations (or: migrate status)")
    p.add_argument("action", nargs="?", choices=["status"], help="show state instead of applying")
    p.add_argument("--db-url", help="target database (default: $SOLVEREIGN_DB_URL)")
    p.add_argument("--dir", type=argtypes.input_dir, default=None, help="migrations directory "
                   "(default: $SOLVEREIGN_MIGRATIONS_DIR, else the repository's migrations/)")
    p.add_argument("--target", help="stop after this migration (version or file name; "
                                    "default: apply every pending file)")
    p.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    p.add_argument("--lock-timeout", default="5s", type=argtypes.pg_duration,
                   help="lock_timeout per statement (default: %(default)s)")
    p.add_argument("--statement-timeout", default="15min", type=argtypes.pg_duration,
                   help="statement_timeout per statement (default: %(default)s)")
    p.add_argument("--lock-wait", type=argtypes.nonnegative_float, default=30.0,
                   help="seconds to wait for another runner's lock (default: %(default)s)")
    p.add_argument("--lock-retries", type=argtypes.nonnegative_int, default=3,
                   help="retries of a file whose lock timed out (default: %(default)s)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Dispatch between applying and showing status."""
    url = settings.db_url(args.db_url)
    directory = args.dir or default_directory()
    if args.action == "status":
        return status(url, directory)
    opts = RunnerOptions(lock_timeout=args.lock_timeout, statement_timeout=args.statement_timeout,
                         lock_wait_seconds=args.lock_wait, lock_retries=args.lock_retries,
                         target=args.target, dry_run=args.dry_run)
    print(f"migrating {mask_url(url)} from {directory}" + (" (dry run)" if args.dry_run else ""))
    done = migrate(url, directory, opts, log=print)
    if not args.dry_run:
        print(f"applied {len(done)} file(s)")
    return 0

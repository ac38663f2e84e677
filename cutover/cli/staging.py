"""`cutover staging prepare`: a staging copy at the pre-cutover schema on a PostgreSQL the
tool did not start (README.md, "Running against your own PostgreSQL").

    cutover staging prepare --admin-url postgresql://postgres@db-host:5432/postgres \\
        --db solvereign_staging --env-file staging.env

It does on the given server what the sandbox does on its own: the platform's roles from the
role bootstrap (cluster-wide: existing ones get new passwords), the database owned by
solvereign_owner, migrations 001..024 as the migrator, and the seeded data (unless
--no-seed). The roles' URLs and the API's secrets go to --env-file (mode 0600, written last
and atomically: `source` it), never to the output. A database of that name is refused unless
--replace, which drops it first: an interrupted prepare is finished by running it again with
--replace. The admin login must be able to create BYPASSRLS roles (a superuser); on a managed
server without one, the roles are made as README.md's managed model describes.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shlex
from pathlib import Path
from types import SimpleNamespace

import psycopg

from cutover import argtypes
from cutover.errors import ConfigError, CutoverError, TargetError

ADMIN_VAR = "SOLVEREIGN_ADMIN_DB_URL"
DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
ROLE_VARS = {"SOLVEREIGN_DB_URL": "solvereign_migrator",
             "SOLVEREIGN_API_DB_URL": "solvereign_api",
             "SOLVEREIGN_PLATFORM_DB_URL": "solvereign_platform",
             "SOLVEREIGN_BACKUP_DB_URL": "solvereign_backup"}


def _db_name(value: str) -> str:
    if not DB_NAME.match(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a plain database name (lower-case letters, digits, _; "
            "at most 63)")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `staging prepare`."""
    p = subparsers.add_parser("staging", help="prepare a staging copy on your own PostgreSQL")
    sub = p.add_subparsers(dest="staging_action", metavar="ACTION", required=True)
    prep = sub.add_parser("prepare", help="roles, database, schema 001..024 and seed data; "
                                          "the URLs go to --env-file")
    prep.add_argument("--admin-url", help="a login that may create roles and databases "
                      "(default: SOLVEREIGN_ADMIN_DB_URL)")
    prep.add_argument("--db", type=_db_name, required=True, help="the database to create")
    prep.add_argument("--env-file", type=argtypes.output_file, required=True,
                      help="where the export lines go (mode 0600)")
    prep.add_argument("--seed", type=argtypes.nonnegative_int, default=94,
                      help="seed of the generated data (default 94)")
    prep.add_argument("--no-seed", action="store_true", help="schema only, no data")
    prep.add_argument("--env", choices=["development", "staging"], default="staging",
                      help="SOLVEREIGN_ENV written to the file (default staging)")
    prep.add_argument("--replace", action="store_true",
                      help="drop a database of that name first")
    prep.set_defaults(func=prepare)


def prepare(args: argparse.Namespace) -> int:
    """The command: exit 0 once the copy is ready and the file written; 2 bad input."""
    from cutover.migrate.files import default_directory
    from cutover.migrate.runner import RunnerOptions, migrate
    from cutover.pg.url import mask_url, role_url, validate_url, with_database
    from sandbox import bootstrap, manage

    flag = bool(args.admin_url)
    admin = validate_url(args.admin_url or os.environ.get(ADMIN_VAR),
                         "--admin-url" if flag else ADMIN_VAR)
    _require_fresh(admin, args.db, args.replace)
    print(f"roles: bootstrapping on {mask_url(admin)}", flush=True)
    created = False
    try:
        passwords = bootstrap.bootstrap_roles(admin)
        bootstrap.create_platform_database(admin, args.db)
        created = True
        migrator = role_url(admin, "solvereign_migrator", passwords["solvereign_migrator"],
                            args.db)
        directory = default_directory()
        migrate(migrator, directory,
                RunnerOptions(target=manage.target_for("pre", directory)),
                log=lambda line: print(f"  {line}", flush=True))
    except (psycopg.Error, CutoverError) as exc:
        again = f"; database {args.db} was created: run again with --replace" if created else ""
        raise TargetError(f"staging prepare stopped: {_first_line(exc)}{again}") from None
    env = {var: role_url(admin, role, passwords[role], args.db)
           for var, role in ROLE_VARS.items()}
    env |= {ADMIN_VAR: with_database(admin, args.db), "SOLVEREIGN_ENV": args.env,
            "SOLVEREIGN_SESSION_SECRET": secrets.token_urlsafe(48),
            "SOLVEREIGN_HMAC_SECRET": secrets.token_urlsafe(48)}
    if not args.no_seed:
        try:
            manage.load_seed(env[ADMIN_VAR], args.seed, env["SOLVEREIGN_HMAC_SECRET"])
        except psycopg.Error as exc:
            raise TargetError(f"staging prepare stopped while seeding: {_first_line(exc)}; "
                              f"run again with --replace") from None
        env |= _probe_settings(args.seed, env["SOLVEREIGN_HMAC_SECRET"])
        print(f"seed {args.seed}: loaded", flush=True)
    _write_env(args.env_file, env)
    print(f"staging copy {args.db}: schema 001..024, {'no data' if args.no_seed else 'seeded'}"
          f"; database URL {mask_url(env['SOLVEREIGN_DB_URL'])}")
    print(f"settings (URLs with passwords, secrets): {args.env_file} (mode 0600); "
          f"`set -a; . {shlex.quote(str(args.env_file))}; set +a`")
    return 0


def _first_line(exc: Exception) -> str:
    """The server's message without its context lines, passwords masked."""
    from cutover.pg.url import mask_text

    return mask_text((str(exc).strip().splitlines() or [type(exc).__name__])[0])


def _require_fresh(admin: str, dbname: str, replace: bool) -> None:
    """Refuse an existing database (bad input, nothing changed) unless --replace drops it."""
    from psycopg import sql

    from cutover.pg.connect import connect

    with connect(admin, name="--admin-url") as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              (dbname,)).fetchone() is not None
        if exists and not replace:
            raise ConfigError(f"database {dbname} already exists: prepare makes a fresh copy "
                              "(--replace drops it first)")
        if exists:
            print(f"dropping database {dbname} (--replace)", flush=True)
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(
                sql.Identifier(dbname)))


def _probe_settings(seed: int, hmac_secret: str) -> dict[str, str]:
    """The gate's probe logins and API keys, re-derived from the seed (as the sandbox's)."""
    from sandbox import api_server

    return api_server.probe_settings(SimpleNamespace(seed=seed, hmac_secret=hmac_secret))


def _write_env(path: Path, env: dict[str, str]) -> None:
    """`export NAME=value` lines, atomically and readable by the owner only."""
    from cutover.atomicfile import write_bytes

    lines = [f"export {k}={shlex.quote(v)}" for k, v in sorted(env.items())]
    write_bytes(path, ("\n".join(lines) + "\n").encode(), mode=0o600)

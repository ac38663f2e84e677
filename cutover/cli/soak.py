"""`w02_staging_soak.sh`: the staging soak's command line (cutover.runbook.soak).

    ./scripts/w02_staging_soak.sh --iterations 5 --with-drills
    ./scripts/w02_staging_soak.sh --db-url URL --api-url URL --iterations 5 --with-drills

Without --db-url every iteration runs on a fresh sandbox. With it, on the target those URLs
name (cutover.runbook.external): the flags win over SOLVEREIGN_DB_URL, SOLVEREIGN_ADMIN_DB_URL,
SOLVEREIGN_BACKUP_DB_URL and SOLVEREIGN_API_URL; the probe logins, the config store, the
evidence key and the redeploy command come from the environment as for every runbook command.
The target is never taken from the environment alone: the soak cuts it over and rolls it back,
so it must be named on the command line.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cutover import argtypes
from cutover.errors import ConfigError, CutoverError
from cutover.runbook.external import ADMIN_VAR, ExternalProvider, staging_target
from cutover.runbook.platform import PlatformProvider
from cutover.runbook.soak import soak

DESCRIPTION = ("The staging soak (runbook §1.1): the whole rehearsal N times, on fresh "
               "sandboxes or on the staging target --db-url names.")


def build_parser() -> argtypes.OneLineParser:
    parser = argtypes.OneLineParser(prog="w02_staging_soak.sh", description=DESCRIPTION)
    parser.add_argument("--iterations", type=argtypes.positive_int, default=5,
                        help="whole rehearsals to run (default: %(default)s)")
    parser.add_argument("--with-drills", action="store_true",
                        help="a rollback drill on the last iteration (the roster gate and "
                             "sick-call drill run in every one; on a --db-url target every "
                             "iteration ends with one)")
    parser.add_argument("--artifacts-dir", type=argtypes.output_dir, default=Path("artifacts"),
                        help="where soak_<timestamp>/ is written (default: %(default)s)")
    parser.add_argument("--db-url", help="the staging target, as the migrator "
                        "(SOLVEREIGN_DB_URL); without it each iteration runs on a sandbox")
    parser.add_argument("--admin-url", help="a login with CREATEDB that owns the database: "
                        "restore check and the rollback's work database "
                        "(default: SOLVEREIGN_ADMIN_DB_URL)")
    parser.add_argument("--backup-url", help="the backup role's URL, for pg_dump "
                        "(default: SOLVEREIGN_BACKUP_DB_URL)")
    parser.add_argument("--api-url", help="the target's API base URL "
                        "(default: SOLVEREIGN_API_URL)")
    parser.add_argument("--keep-rolled-back", action="store_true",
                        help="on a --db-url target, keep the databases each iteration's "
                             "rollbacks replaced (<db>_rolledback_<stamp>, full copies); by "
                             "default a restored iteration drops them, a failed one keeps them")
    return parser


def _provider(args: argparse.Namespace) -> PlatformProvider:
    """The sandbox's provider, or the external target's with the flags over the env."""
    if not args.db_url:
        for flag in ("admin_url", "backup_url", "api_url", "keep_rolled_back"):
            if getattr(args, flag):
                raise ConfigError(f"--{flag.replace('_', '-')} names a target's part: give "
                                  "--db-url too (without it the soak runs on sandboxes)")
        from sandbox.platform import SandboxProvider

        return SandboxProvider()
    return staging_target(os.environ, db_url=args.db_url, admin_url=args.admin_url,
                          backup_url=args.backup_url, api_url=args.api_url)


def main(argv: list[str] | None = None) -> int:
    """The command: exit 0 when every iteration passed (on a target: and restored it) and
    all of them agree; 1 otherwise; 2 bad input."""
    args = build_parser().parse_args(argv)
    try:
        provider = _provider(args)
        if isinstance(provider, ExternalProvider):
            print(f"soak target at {provider.check()} (pre-cutover): each iteration cuts it "
                  "over and rolls it back", flush=True)
    except CutoverError as exc:
        print(f"w02_staging_soak: error: {exc}", file=sys.stderr)
        return exc.exit_code
    admin = provider.settings.get(ADMIN_VAR) if isinstance(provider, ExternalProvider) else None
    report = soak(args.iterations, args.artifacts_dir, provider, args.with_drills,
                  target_db_url=args.db_url or None, admin_url=admin,
                  keep_copies=args.keep_rolled_back)
    res = report["results"]
    print(f"soak: {args.iterations} iterations, fail_count {res['fail_count']}, determinism "
          f"{res['determinism']} {res['differing'] or ''}; seconds {res['seconds']}")
    if res.get("stopped"):
        print(f"soak stopped: {res['stopped']}")
    print(f"report: {report['path']}")
    ok = res["determinism"] == "PASS" and res["fail_count"] == 0
    print(f"VERDICT: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

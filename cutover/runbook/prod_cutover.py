"""`./scripts/prod_cutover.sh --db-url URL --rc-tag TAG --artifacts-dir DIR` (runbook §3.2).

Refuses to start unless this run's preflight passed (for this database and environment,
within the last 12 hours) and writes are proven frozen;
applies 025..025f, verifies, gates and smoke-tests, writing every artifact as it goes
and ending with a signed cutover_summary.json. Prints SUCCESS or FAIL, exits 0 or 1.
Re-running after success changes nothing and says so; after a failure it resumes from
the ledger. It never enables writes.
"""

from __future__ import annotations

import os
import sys

from cutover import argtypes, settings
from cutover.errors import EXIT_CRASH, CutoverError
from cutover.evidence import bundle, keys
from cutover.rollback import notify
from cutover.runbook.cutover_steps import CUTOVER, run_steps
from cutover.runbook.steps import Run, StepFailed


def cutover(run: Run) -> bool:
    """Every step in order; seal the bundle whatever happens."""
    summary = run.read(bundle.SUMMARY)
    phases: dict[str, dict] = dict(summary.get("phases") or {})
    sent = [*(summary.get("notifications") or []),
            notify.send("cutover_started", run.artifacts.name, "info",
                        str(run.artifacts.resolve()), f"cutover of {run.rc_tag} started")]
    ok = True
    try:
        run_steps(run, CUTOVER, phases)
    except StepFailed as exc:
        run.log(f"    FAIL: {exc}")
        ok = False
    finally:
        bundle.seal(run.artifacts, run.signing_key, verdict="SUCCESS" if ok else "FAIL",
                      cutover_verdict="SUCCESS" if ok else "FAIL", rc_tag=run.rc_tag,
                      env=run.env_name, phases=phases, writes_disabled=_frozen_since(run),
                      notifications=sent,
                      report=True)  # report.html rendered, then signed with the rest
    return ok


def _frozen_since(run: Run) -> dict:
    """The writes-disabled window so far: it opened with the proven freeze and stays open
    (the cutover never enables writes; `cutover enable` closes it)."""
    window = dict(run.read(bundle.SUMMARY).get("writes_disabled") or {})
    frozen_at = run.read("freeze_record.json").get("flag_set_at")
    if frozen_at and "from" not in window:
        window["from"] = frozen_at
    return window


def build_parser() -> argtypes.OneLineParser:
    """The command line (tests/release/test_help.py reads every option's help)."""
    parser = argtypes.OneLineParser(prog="prod_cutover.sh", description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", help="the target database, as the migrator "
                                         "(default: $SOLVEREIGN_DB_URL; one is required)")
    parser.add_argument("--rc-tag", required=True, help="the release candidate cut over")
    parser.add_argument("--artifacts-dir", type=argtypes.output_dir, required=True,
                        help="this run's evidence bundle (the folder the preflight wrote into)")
    parser.add_argument("--api-url", help="the target's API, probed by the gate phases; "
                                          "without one their API checks are N/A "
                                          "(default: $SOLVEREIGN_API_URL)")
    parser.add_argument("--env", help="development, staging or production "
                                      "(default: $SOLVEREIGN_ENV, else development)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        run = Run(artifacts=args.artifacts_dir, db_url=settings.db_url(args.db_url),
                  api_url=args.api_url or os.environ.get("SOLVEREIGN_API_URL"),
                  env_name=settings.environment(args.env or os.environ.get("SOLVEREIGN_ENV")
                                                or "development"),
                  rc_tag=args.rc_tag)
        keys.signing_key()  # a production cutover does not start unsigned
        args.artifacts_dir.mkdir(parents=True, exist_ok=True)
        ok = cutover(run)
    except CutoverError as exc:
        print(f"prod_cutover: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        print(f"prod_cutover: internal error ({type(exc).__name__}): {exc}", file=sys.stderr)
        return EXIT_CRASH
    print("SUCCESS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

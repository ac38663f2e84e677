"""`w02_staging_soak.sh`: the staging soak's command line (cutover.runbook.soak).

    ./scripts/w02_staging_soak.sh --iterations 5 --with-drills
"""

from __future__ import annotations

import sys
from pathlib import Path

from cutover import argtypes
from cutover.runbook.soak import soak

DESCRIPTION = "The staging soak (runbook §1.1): the whole rehearsal N times on fresh sandboxes."


def main(argv: list[str] | None = None) -> int:
    """The command: exit 0 when every iteration passed and all of them agree."""
    parser = argtypes.OneLineParser(prog="w02_staging_soak.sh",
                                     description=DESCRIPTION)
    parser.add_argument("--iterations", type=argtypes.positive_int, default=5)
    parser.add_argument("--with-drills", action="store_true",
                        help="a rollback drill on the last iteration (the roster gate and "
                             "sick-call drill run in every one)")
    parser.add_argument("--artifacts-dir", type=argtypes.output_dir, default=Path("artifacts"))
    args = parser.parse_args(argv)
    if args.iterations < 1:
        print("w02_staging_soak: error: --iterations must be at least 1", file=sys.stderr)
        return 2
    from sandbox.platform import SandboxProvider

    report = soak(args.iterations, args.artifacts_dir, SandboxProvider(), args.with_drills)
    res = report["results"]
    print(f"soak: {args.iterations} iterations, fail_count {res['fail_count']}, determinism "
          f"{res['determinism']} {res['differing'] or ''}; seconds {res['seconds']}")
    print(f"report: {report['path']}")
    ok = res["determinism"] == "PASS" and res["fail_count"] == 0
    print(f"VERDICT: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

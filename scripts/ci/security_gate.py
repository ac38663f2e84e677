#!/usr/bin/env python3
"""The security gate (runbook §4): the postmigration security and ACL checks, nothing else.

    ./scripts/ci/security_gate.sh --db-url URL [--artifacts-dir DIR] [--sarif FILE]

Prints the failing checks with the objects they name and `GATE STATUS: PASS|FAIL`;
writes security_gate_result.json (and acl_scan_report.json, and SARIF when asked);
exits 0 PASS, 1 FAIL, 2 bad input, 3 if the gate could not run. A WARN (a minor finding,
or a probe not verified) passes the gate and is printed; advisories (hazards, never part
of the verdict) are printed apart.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cutover import argtypes, settings
from cutover.errors import ConfigError
from cutover.evidence.bundle import write_json
from cutover.evidence.reseal import require_reseal_key, reseal_after_writing
from cutover.gate.run import crash, run_phase
from cutover.gate.sarif import to_sarif

MARKER = "postmigration and (security or acl)"


def build_parser() -> argtypes.OneLineParser:
    """The command line (tests/release/test_help.py reads every option's help)."""
    parser = argtypes.OneLineParser(prog="security_gate.sh", description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", help="the migrated database, as the migrator "
                                         "(default: $SOLVEREIGN_DB_URL; one is required)")
    parser.add_argument("--env", help="development, staging or production "
                                      "(default: $SOLVEREIGN_ENV, else development)")
    parser.add_argument("--artifacts-dir", type=argtypes.output_dir, default=Path("artifacts"),
                        help="where security_gate_result.json and acl_scan_report.json are "
                             "written (default: %(default)s)")
    parser.add_argument("--sarif", type=argtypes.output_file,
                        help="also write the findings as SARIF 2.1.0 (default: not written)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        url = settings.db_url(args.db_url)
        env_name = settings.environment(args.env) if args.env else None
        require_reseal_key(args.artifacts_dir, "security_gate.sh")
    except ConfigError as exc:
        print(f"security_gate: error: {exc}", file=sys.stderr)
        return 2
    result = args.artifacts_dir / "security_gate_result.json"
    verdict, code = run_phase(MARKER, ["checks"], result, db_url=url, env_name=env_name,
                              extra=["--artifacts-dir", str(args.artifacts_dir)], quiet=True)
    if verdict is None:
        return crash(f"the security gate did not produce a verdict (pytest exit {code})")
    summary = json.loads(result.read_text())
    for check in summary["checks"]:
        if check["status"] != "PASS" and check.get("tier") != "advisory":
            print(f"  {check['status']:<4} {check['check_id']} [{check['severity']}] "
                  f"{check['message']}")
    if summary.get("advisories"):
        print("  advisories (never blocking):")
        for adv in summary["advisories"]:
            print(f"    {adv['status']:<4} {adv['check_id']} [advisory] {adv['message']}")
    if args.sarif:
        write_json(args.sarif, to_sarif(summary), stamp=False)  # SARIF: tool.driver
    status = "FAIL" if verdict == "FAIL" else "PASS"
    written = [result.name, "acl_scan_report.json"]
    if args.sarif and args.sarif.resolve().parent == args.artifacts_dir.resolve():
        written.append(args.sarif.name)
    reseal_after_writing(args.artifacts_dir, written)
    print(status_line(status, summary))
    return 0 if status == "PASS" else 1


def status_line(status: str, summary: dict) -> str:
    """The verdict line the runbook greps; a pass with warnings says so and the line before
    names the warned checks (advisories are listed apart and never counted)."""
    warned = sorted({c["check_id"] for c in summary.get("checks", [])
                     if c.get("status") == "WARN" and c.get("tier") != "advisory"})
    if status != "PASS" or not warned:
        return f"GATE STATUS: {status}"
    plural = "" if len(warned) == 1 else "s"
    return (f"warnings: {', '.join(warned)}\n"
            f"GATE STATUS: PASS ({len(warned)} warning{plural})")


if __name__ == "__main__":
    sys.exit(main())

"""The evidence files of runbook §10, by their runbook names (docs/artifacts.md).

The bundle carries each name verbatim; machine-readable extras (migration_log.json,
freeze_record.json, ...) sit beside them. `migration_log.txt` is the one §10 file that is
text: the readable account of the migration step (rendered here from its JSON twin).
"""

from __future__ import annotations

RUNBOOK_ARTIFACTS = (
    "preflight_result.json",
    "migration_log.txt",
    "verify_hardening.json",
    "acl_scan_report.json",
    "security_gate_result.json",
    "health_check.json",
    "auth_separation_test.json",
    "roster_dry_run.json",
    "ops_drill_sick_call.json",
    "approval_record.json",
    "cutover_summary.json",
)


def migration_log_text(doc: dict) -> str:
    """What an approver reads for §3.2: heads before and after, each file applied with its
    duration, the runner's own lines and the error if the step failed."""
    target = doc.get("target") or {}
    lines = [
        "SOLVEREIGN migration log (runbook §3.2)",
        f"verdict:           {doc.get('verdict', 'unknown')}",
        f"ledger head before: {doc.get('from_head') or '(empty ledger)'}",
        f"ledger head after:  {doc.get('head') or '(empty ledger)'}",
    ]
    if target:
        lines.append(f"database:          {target.get('database')} "
                     f"(system {target.get('system_identifier')})")
    applied = doc.get("applied") or []
    lines.append(f"applied ({len(applied)}):" if applied else "applied: nothing (up to date)")
    for item in applied:
        attempts = item.get("attempts", 1)
        lines.append(f"  {item.get('name')}  {item.get('duration_ms')} ms"
                     + (f"  ({attempts} attempts)" if attempts and attempts > 1 else ""))
    if doc.get("error"):
        lines.append(f"error: {doc['error']}")
    if doc.get("log"):
        lines.append("runner log:")
        lines += [f"  {line}" for line in doc["log"]]
    return "\n".join(lines) + "\n"

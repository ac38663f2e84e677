"""SARIF 2.1.0 from a gate verdict document, so code-scanning views can show the findings.

Each check becomes a rule (id, title, remediation as help); each failing check a result
per offending object, as a logical location (a database object has no file and line).
"""

from __future__ import annotations

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"blocker": "error", "major": "error", "minor": "warning"}


def _rule(check: dict) -> dict:
    return {
        "id": check["check_id"],
        "name": check.get("title") or check["check_id"],
        "shortDescription": {"text": check.get("title") or check["check_id"]},
        "help": {"text": check.get("remediation") or ""},
        "properties": {"severity": check.get("severity"), "runbook": check.get("runbook")},
        "defaultConfiguration": {"level": LEVELS.get(check.get("severity", ""), "error")},
    }


def _results(check: dict) -> list[dict]:
    if check.get("status") == "PASS":
        return []
    offenders = (check.get("evidence") or {}).get("offenders") or [None]
    level = "warning" if check.get("status") == "WARN" else LEVELS.get(
        check.get("severity", ""), "error")
    out = []
    for obj in offenders:
        result = {"ruleId": check["check_id"], "level": level,
                  "message": {"text": check.get("message") or check.get("status", "")}}
        if obj:
            result["locations"] = [{"logicalLocations": [
                {"fullyQualifiedName": str(obj), "kind": "object"}]}]
        out.append(result)
    return out


def to_sarif(summary: dict, tool_version: str = "0.1.0") -> dict:
    """One SARIF run holding every check as a rule and every failure as results."""
    checks = summary.get("checks", [])
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "solvereign-cutover-gate", "version": tool_version,
                                "rules": [_rule(c) for c in checks]}},
            "results": [r for c in checks for r in _results(c)],
            "properties": {"verdict": summary.get("verdict"), "run_id": summary.get("run_id")},
        }],
    }

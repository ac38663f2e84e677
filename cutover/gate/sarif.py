"""SARIF 2.1.0 from a gate verdict document, so code-scanning views can show the findings.

Each check becomes a rule (id, title, remediation as help); each failing check a result
per offending object (level `note` for an advisory, which never decides the verdict).
Code scanning wants a file for every result, so each result's
physical location is the check's source file, relative to the repository root
(`%SRCROOT%`), found by the gate's naming rule (PM-034 → checks/*/test_pm034_*.py); the
offending database object, which has no file and line, is its logical location.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from cutover import home, release

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"blocker": "error", "major": "error", "minor": "warning"}
ROOT = home.root()  # the checkout, or the wheel's copy of checks/
FALLBACK_URI = "fixtures/gate.py"  # the gate plugin, for a check whose file is not found


@cache
def check_file(check_id: str, root: Path = ROOT) -> str:
    """The check's source file relative to `root` (the gate puts its id in the file name)."""
    slug = re.sub(r"[^a-z0-9]", "", check_id.lower())
    for path in sorted((root / "checks").glob("*/test_*.py")):
        if re.fullmatch(rf"test_{slug}(_.*)?\.py", path.name):
            return path.relative_to(root).as_posix()
    return FALLBACK_URI


def _location(uri: str, obj: object) -> dict:
    """The check's file as the physical location; the object, if any, as a logical one."""
    loc: dict = {"physicalLocation": {
        "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1}}}
    if obj:
        loc["logicalLocations"] = [{"fullyQualifiedName": str(obj), "kind": "object"}]
    return loc


def _rule(check: dict) -> dict:
    return {
        "id": check["check_id"],
        "name": check.get("title") or check["check_id"],
        "shortDescription": {"text": check.get("title") or check["check_id"]},
        "help": {"text": check.get("remediation") or ""},
        "properties": {"severity": check.get("severity"), "runbook": check.get("runbook"),
                       "tier": check.get("tier", "gate")},
        "defaultConfiguration": {"level": "note" if check.get("tier") == "advisory"
                                 else LEVELS.get(check.get("severity", ""), "error")},
    }


def _results(check: dict) -> list[dict]:
    if check.get("status") in ("PASS", "N/A"):  # N/A: nothing verified, nothing claimed
        return []
    offenders = (check.get("evidence") or {}).get("offenders") or [None]
    level = "warning" if check.get("status") == "WARN" else LEVELS.get(
        check.get("severity", ""), "error")
    if check.get("tier") == "advisory":
        level = "note"  # a hazard, never part of the verdict
    uri = check_file(check["check_id"])
    return [{"ruleId": check["check_id"], "level": level,
             "message": {"text": check.get("message") or check.get("status", "")},
             "locations": [_location(uri, obj)]} for obj in offenders]


def to_sarif(summary: dict, tool_version: str | None = None) -> dict:
    """One SARIF run holding every check as a rule and every failure as results; the
    driver's version is this package's (SARIF's own place for the writing tool)."""
    checks = summary.get("checks", [])
    tool_version = tool_version or release.tool_version()
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

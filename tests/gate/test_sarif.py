"""SARIF output: rules for every check, one result per offending object."""

from __future__ import annotations

from cutover.gate.sarif import to_sarif

SUMMARY = {
    "verdict": "FAIL", "run_id": "r1",
    "checks": [
        {"check_id": "PM-010", "severity": "blocker", "status": "FAIL", "title": "RLS forced",
         "remediation": "ALTER TABLE ... FORCE ROW LEVEL SECURITY", "message": "2 tables",
         "evidence": {"offenders": ["core.sites", "roster.plans"]}},
        {"check_id": "PM-040", "severity": "minor", "status": "WARN", "title": "column grants",
         "remediation": "review", "message": "1 grant", "evidence": {"offenders": []}},
        {"check_id": "PM-011", "severity": "blocker", "status": "PASS", "title": "ok",
         "remediation": "", "evidence": {}},
    ],
}


def test_rules_and_results():
    run = to_sarif(SUMMARY)["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["PM-010", "PM-040", "PM-011"]
    results = run["results"]
    names = [r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
             for r in results if "locations" in r]
    assert names == ["core.sites", "roster.plans"]
    assert [r["level"] for r in results] == ["error", "error", "warning"]
    assert run["properties"]["verdict"] == "FAIL"


def test_clean_gate_has_no_results():
    clean = {"verdict": "PASS", "checks": [dict(SUMMARY["checks"][2])]}
    assert to_sarif(clean)["runs"][0]["results"] == []

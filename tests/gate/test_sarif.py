"""SARIF output: rules for every check, one result per offending object, each in a file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cutover.gate.sarif import FALLBACK_URI, check_file, to_sarif

REPO = Path(__file__).resolve().parents[2]

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
             for r in results if "logicalLocations" in r["locations"][0]]
    assert names == ["core.sites", "roster.plans"]
    assert [r["level"] for r in results] == ["error", "error", "warning"]
    assert run["properties"]["verdict"] == "FAIL"


def test_clean_gate_has_no_results():
    clean = {"verdict": "PASS", "checks": [dict(SUMMARY["checks"][2])]}
    assert to_sarif(clean)["runs"][0]["results"] == []


def test_every_result_is_located_in_its_checks_source_file():
    """Code scanning rejects a result without a physical location; the object stays too."""
    results = to_sarif(SUMMARY)["runs"][0]["results"]
    assert results
    for r in results:
        physical = r["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert physical["region"] == {"startLine": 1}
        assert not Path(uri).is_absolute() and (REPO / uri).is_file(), uri
        assert re.sub(r"[^a-z0-9]", "", r["ruleId"].lower()) in Path(uri).name
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris == ["checks/p3_postmigration/test_pm010_rls_forced.py"] * 2 + [
        "checks/p3_postmigration/test_pm040_definer_owner.py"]
    assert "logicalLocations" not in results[2]["locations"][0]  # PM-040 named no object


def _declared_checks() -> list[tuple[str, str]]:
    pattern = re.compile(r'mark\.check\(\s*id="([^"]+)"')
    return [(m.group(1), path.relative_to(REPO).as_posix())
            for path in sorted((REPO / "checks").rglob("test_*.py"))
            for m in pattern.finditer(path.read_text())]


def test_every_check_id_maps_to_the_file_declaring_it():
    declared = _declared_checks()
    assert len(declared) > 40
    for check_id, path in declared:
        assert check_file(check_id) == path


@pytest.mark.parametrize("check_id", ["PM-999", "PM-01", "X"])
def test_an_unknown_check_falls_back_to_the_gate_plugin(check_id):
    assert check_file(check_id) == FALLBACK_URI and (REPO / FALLBACK_URI).is_file()

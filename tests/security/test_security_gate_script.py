"""./scripts/ci/security_gate.sh: status line, exit codes, artifacts, SARIF, no secrets."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[2]


def _gate(db, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO / "scripts/ci/security_gate.sh"), *args],
                          capture_output=True, text=True, env=db.env(), timeout=300, check=False)


def test_pass_then_fail_naming_the_object(make_platform, tmp_path):
    db = make_platform("latest")
    ok = _gate(db, "--db-url", db.url(), "--artifacts-dir", str(tmp_path / "a"),
               "--sarif", str(tmp_path / "a" / "gate.sarif"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.rstrip().endswith("GATE STATUS: PASS")
    assert json.loads((tmp_path / "a" / "acl_scan_report.json").read_text())["findings"] == []
    sarif = json.loads((tmp_path / "a" / "gate.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert {r["level"] for r in sarif["runs"][0]["results"]} <= {"note"}  # advisories only
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute("GRANT SELECT ON core.sites TO PUBLIC")
    bad = _gate(db, "--db-url", db.url(), "--artifacts-dir", str(tmp_path / "b"),
                "--sarif", str(tmp_path / "b" / "gate.sarif"))
    assert bad.returncode == 1 and "GATE STATUS: FAIL" in bad.stdout
    assert "PM-030" in bad.stdout and "core.sites" in bad.stdout
    results = json.loads((tmp_path / "b" / "gate.sarif").read_text())["runs"][0]["results"]
    assert any(r["ruleId"] == "PM-030" for r in results)
    produced = [ok.stdout, ok.stderr, bad.stdout, bad.stderr] + [
        p.read_text() for p in (tmp_path).rglob("*") if p.is_file()]
    for secret in db.secrets():
        assert all(secret not in text for text in produced)


def test_bad_url_is_one_line(make_platform):
    db = make_platform("latest")
    proc = _gate(db, "--db-url", "postgresql://u:pw@127.0.0.1:1")
    assert proc.returncode == 2 and "names no database" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_pass_with_warnings_says_how_many_and_names_them(make_platform, tmp_path):
    """In production the writing probes are not run: those checks warn (naming what was not
    verified), the gate still passes (exit 0) and its status line says so."""
    db = make_platform("latest")
    proc = _gate(db, "--db-url", db.url(), "--env", "production",
                 "--artifacts-dir", str(tmp_path / "a"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads((tmp_path / "a" / "security_gate_result.json").read_text())
    warned = sorted(c["check_id"] for c in result["checks"]
                    if c["status"] == "WARN" and c.get("tier") != "advisory")
    assert warned, "production should leave the writing probes unverified (WARN)"
    *_, before, last = proc.stdout.rstrip().splitlines()
    plural = "" if len(warned) == 1 else "s"
    assert last == f"GATE STATUS: PASS ({len(warned)} warning{plural})"
    assert before == f"warnings: {', '.join(warned)}"

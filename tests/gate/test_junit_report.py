"""The gate's JUnit XML is what Jenkins, GitLab and GitHub reporters read: valid against
the junit-10.xsd rules, the check id and message in the failure, severity and evidence in
system-out, run id, target (masked) and server version as suite properties."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import psycopg
import pytest
import xmlschema

from tests.platform import run_gate

SCHEMA = Path(__file__).with_name("schemas") / "junit-10.xsd"
PREFLIGHT = "checks/p1_preflight"
REPO = Path(__file__).resolve().parents[2]


def _valid(path: Path) -> None:
    xmlschema.XMLSchema(SCHEMA).validate(path)


def _case(root: ET.Element, name: str) -> ET.Element:
    return next(c for c in root.iter("testcase") if c.get("name") == name)


def test_the_schema_refuses_properties_inside_a_testcase(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text('<testsuites><testsuite name="s" tests="1" failures="0" errors="0">'
                   '<testcase name="t"><properties><property name="a" value="b"/>'
                   '</properties></testcase></testsuite></testsuites>')
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        _valid(bad)


@pytest.fixture
def broken(make_platform):
    """A pre-cutover database with an invalid index: PF-007 fails naming it."""
    db = make_platform("pre")
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute("CREATE TABLE public.dupes (x int)")
        conn.execute("INSERT INTO public.dupes VALUES (1), (1)")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY dupes_x ON public.dupes (x)")
    return db


def test_junitxml_of_a_failing_gate_validates_and_names_the_check(broken, tmp_path):
    out = tmp_path / "junit.xml"
    proc, result = run_gate(broken, PREFLIGHT, marker="preflight",
                            extra=("--junitxml", str(out)))
    assert proc.returncode == 2, proc.stdout[-2000:]
    _valid(out)
    root = ET.parse(out).getroot()  # noqa: S314 (our own report)
    assert not [c for c in root.iter("testcase") if c.find("properties") is not None]
    case = _case(root, "test_pf007_no_invalid_indexes")
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message").startswith("PF-007 [")
    assert "public.dupes_x" in failure.get("message")
    out_text = "".join(s.text or "" for s in case.findall("system-out"))
    assert "check_id: PF-007" in out_text and "check_severity: " in out_text
    assert "check_remediation: " in out_text and "indisvalid" in out_text  # the evidence
    suite = {p.get("name"): p.get("value") for p in root.find("testsuite/properties")}
    assert suite["run_id"] == result["run_id"] and suite["verdict"] == "FAIL"
    assert suite["target"] == result["target"]["endpoint"]
    with psycopg.connect(broken.url()) as conn:  # the session cluster's major (dev.py matrix)
        major = conn.execute("SHOW server_version_num").fetchone()[0][:-4]
    assert suite["server_version"].startswith(major)
    text = out.read_text()
    for secret in broken.secrets():
        assert secret not in text


def test_the_default_report_of_a_passing_gate_validates(make_platform):
    db = make_platform("pre")
    proc, result = run_gate(db, PREFLIGHT, marker="preflight")
    assert proc.returncode == 0, proc.stdout[-2000:]
    path = REPO / "reports" / result["run_id"] / "junit.xml"
    _valid(path)
    root = ET.parse(path).getroot()  # noqa: S314 (our own report)
    assert "check_id: PF-007" in _case(root, "test_pf007_no_invalid_indexes").find(
        "system-out").text
    skipped = _case(root, "test_pf011_rc_tag_is_checked_out").find("skipped")  # N/A
    assert skipped is not None and skipped.get("message").startswith("PF-011 [")


def test_postmigration_at_the_root_writes_the_junit_ci_reads(make_platform, tmp_path):
    """`pytest -m postmigration --junitxml F`, typed at the root with no path (testpaths is
    checks/), against a database with one table granted to PUBLIC: PM-030 fails naming it."""
    import subprocess
    import sys

    db = make_platform("latest")
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute("GRANT SELECT ON core.sites TO PUBLIC")
    out = tmp_path / "junit.xml"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-m", "postmigration and acl",
                           "--junitxml", str(out), "--db-url", db.url(), "-q", "-p",
                           "no:randomly"], cwd=REPO, env=db.env(), capture_output=True,
                          text=True, timeout=600, check=False)
    assert proc.returncode == 2, proc.stdout[-3000:]
    _valid(out)
    root = ET.parse(out).getroot()  # noqa: S314 (our own report)
    failures = {c.get("name"): c.find("failure") for c in root.iter("testcase")
                if c.find("failure") is not None}
    pm030 = [f.get("message") for f in failures.values() if f.get("message").startswith(
        "PM-030 [")]
    assert pm030 and "core.sites" in pm030[0], failures.keys()
    suite = {p.get("name"): p.get("value") for p in root.find("testsuite/properties")}
    assert set(suite) >= {"run_id", "target", "server_version", "verdict"}
    assert suite["target"].endswith(f"/{db.dbname}") and "@" not in suite["target"]  # no login
    for secret in db.secrets():
        assert secret not in out.read_text()

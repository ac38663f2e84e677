"""Each preflight check fails when exactly its condition is broken (and only it)."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.platform import run_gate, statuses

PREFLIGHT = "checks/p1_preflight"
REPO = Path(__file__).resolve().parents[2]
NOT_APPLICABLE = {"PF-009", "PF-010", "PF-011", "PF-012"}


def _only_failure(result: dict, check_id: str, status: str = "FAIL") -> dict:
    got = statuses(result)
    others = {k: v for k, v in got.items() if k != check_id and v not in ("PASS", "N/A")}
    assert got.get(check_id) == status, got
    assert not others, f"other checks changed too: {others}"
    return next(c for c in result["checks"] if c["check_id"] == check_id)


@pytest.fixture
def pre(make_platform):
    return make_platform("pre")


def test_clean_pre_cutover_database_passes(pre):
    proc, result = run_gate(pre, PREFLIGHT, marker="preflight")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert proc.stdout.rstrip().splitlines()[-1].startswith("VERDICT: PASS") or \
        "VERDICT: PASS" in proc.stdout
    got = statuses(result)
    assert {k for k, v in got.items() if v == "N/A"} == NOT_APPLICABLE
    assert all(v in ("PASS", "N/A") for v in got.values())


def test_no_secret_reaches_any_report(pre):
    proc, result = run_gate(pre, PREFLIGHT, marker="preflight",
                            env=pre.env(SOLVEREIGN_SESSION_SECRET="Sh0rtQz"))
    produced = [proc.stdout, proc.stderr, json.dumps(result)]
    folder = result and f"reports/{result['run_id']}"
    for name in ("junit.xml", "report.json", "report.html"):
        with open(os.path.join(os.path.dirname(__file__), "..", "..", folder, name)) as fh:
            produced.append(fh.read())
    for secret in [*pre.secrets(), "Sh0rtQz"]:
        for text in produced:
            assert secret not in text


@pytest.mark.parametrize("var, value, expected", [
    ("SOLVEREIGN_SESSION_SECRET", None, "SOLVEREIGN_SESSION_SECRET is not set"),
    ("SOLVEREIGN_HMAC_SECRET", "x" * 31, "SOLVEREIGN_HMAC_SECRET is too short (31 bytes"),
    ("SOLVEREIGN_ENV", "prod", "SOLVEREIGN_ENV must be one of"),
])
def test_pf002_settings(pre, var, value, expected):
    env = pre.env()
    if value is None:
        env.pop(var)
    else:
        env[var] = value
    if var == "SOLVEREIGN_ENV":
        proc, result = run_gate(pre, PREFLIGHT, marker="preflight", env=env,
                                extra=("--env", "development"))
    else:
        proc, result = run_gate(pre, PREFLIGHT, marker="preflight", env=env)
    check = _only_failure(result, "PF-002")
    assert expected in check["message"]
    assert proc.returncode == 2 and "VERDICT: FAIL" in proc.stdout


def test_pf003_drifted_ledger(pre):
    with psycopg.connect(pre.url("postgres"), autocommit=True) as conn:
        conn.execute("UPDATE meta.migration_ledger SET sha256 = repeat('0', 64)"
                     " WHERE version = '012'")
    _, result = run_gate(pre, PREFLIGHT, marker="preflight")
    check = _only_failure(result, "PF-003")
    assert "was edited after it was applied" in check["message"]
    assert "012_" in check["message"]


def test_pf003_already_migrated_database(make_platform):
    latest = make_platform("latest")
    _, result = run_gate(latest, PREFLIGHT, marker="preflight")
    check = _only_failure(result, "PF-003")
    assert "025 is already applied" in check["message"]


def _major(db) -> str:
    """The session cluster's major (16 from the wheel; another under `dev.py matrix`)."""
    with psycopg.connect(db.url()) as conn:
        return str(conn.execute("SHOW server_version_num").fetchone()[0])[:-4]


def test_pf004_too_old_pg_dump(pre, tmp_path):
    fake = tmp_path / "oldbin"
    fake.mkdir()
    for tool in ("pg_dump", "pg_restore"):
        script = fake / tool
        script.write_text(f"#!/bin/sh\necho '{tool} (PostgreSQL) 12.17'\n")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    _, result = run_gate(pre, PREFLIGHT, marker="preflight",
                         env=pre.env(SOLVEREIGN_PG_BIN=str(fake)))
    check = _only_failure(result, "PF-004")
    assert "pg_dump at" in check["message"]
    assert f"older than server {_major(pre)}" in check["message"]


def test_pf005_no_room_for_the_backup(pre):
    _, result = run_gate(pre, PREFLIGHT, marker="preflight",
                         env=pre.env(SOLVEREIGN_BACKUP_SPACE_FACTOR="1e12"))
    assert "bytes free; needs" in _only_failure(result, "PF-005")["message"]


def test_pf006_long_transaction_held_open(pre):
    with psycopg.connect(pre.url("solvereign_api"), application_name="stuck-worker") as conn:
        conn.execute("SELECT 1")  # opens a transaction and leaves it idle
        _, result = run_gate(pre, PREFLIGHT, marker="preflight")
    check = _only_failure(result, "PF-006")
    assert "solvereign_api@stuck-worker" in check["message"]
    assert "idle in transaction" in check["message"]


def test_pf006_ungranted_lock(pre):
    holder = psycopg.connect(pre.url("postgres"))
    holder.execute("LOCK TABLE core.tenants IN ACCESS EXCLUSIVE MODE")
    waiter = psycopg.connect(pre.url("postgres"), autocommit=True)
    import threading

    t = threading.Thread(target=lambda: waiter.execute("SELECT count(*) FROM core.tenants"))
    t.start()
    try:
        _, result = run_gate(pre, PREFLIGHT, marker="preflight")
    finally:
        holder.rollback()
        t.join(10)
        holder.close()
        waiter.close()
    check = _only_failure(result, "PF-006")
    assert "waits for AccessShareLock on core.tenants" in check["message"]


def test_pf006_not_verified_without_pg_monitor_is_a_warning(pre):
    role, password = f"gate_reader_{os.getpid()}", "reader-password-for-this-test"
    with psycopg.connect(pre.url("postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}' IN ROLE pg_read_all_data")
    try:
        url = pre.url().replace(f"solvereign_migrator:{pre.passwords['solvereign_migrator']}",
                                f"{role}:{password}")
        proc, result = run_gate(pre, PREFLIGHT, marker="preflight", extra=("--db-url", url))
    finally:
        with psycopg.connect(pre.url("postgres"), autocommit=True) as conn:
            conn.execute(f"DROP ROLE {role}")
    check = _only_failure(result, "PF-006", status="WARN")
    assert check["message"].startswith("not verified")
    assert proc.returncode == 1 and "VERDICT: WARN" in proc.stdout


def test_pf007_invalid_index(pre):
    with psycopg.connect(pre.url("postgres"), autocommit=True) as conn:
        conn.execute("CREATE TABLE public.dupes (x int)")
        conn.execute("INSERT INTO public.dupes VALUES (1), (1)")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY dupes_x ON public.dupes (x)")
    _, result = run_gate(pre, PREFLIGHT, marker="preflight")
    assert "public.dupes_x" in _only_failure(result, "PF-007")["message"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_pf008_unreachable_store(pre):
    conn = (f"Endpoint=http://127.0.0.1:{_closed_port()};Id=probe;"
            "Secret=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0")
    _, result = run_gate(pre, PREFLIGHT, marker="preflight",
                         env=pre.env(SOLVEREIGN_APPCONFIG_CONNECTION_STRING=conn))
    check = _only_failure(result, "PF-008")
    assert "config store" in check["message"]
    assert "c2VjcmV0c2Vj" not in json.dumps(result)


def test_pf010_failed_soak_when_required(pre, tmp_path):
    report = tmp_path / "soak_report.json"
    report.write_text(json.dumps({"results": {"determinism": "FAIL", "fail_count": 0}}))
    _, result = run_gate(pre, PREFLIGHT, marker="preflight",
                         env=pre.env(SOLVEREIGN_REQUIRE_SOAK="true",
                                     SOLVEREIGN_SOAK_REPORT=str(report)))
    assert "determinism is 'FAIL'" in _only_failure(result, "PF-010")["message"]


def test_pf011_rc_tag_that_does_not_resolve(pre):
    _, result = run_gate(pre, PREFLIGHT, marker="preflight",
                         extra=("--rc-tag", "v9.9.9-rc-does-not-exist"))
    assert "does not resolve" in _only_failure(result, "PF-011")["message"]


def test_pf012_last_known_good_names_unknown_commit(pre, tmp_path):
    lkg = tmp_path / "lkg.json"
    lkg.write_text(json.dumps({"rollback_sha": "f" * 40, "timestamp": "2026-01-01T00:00:00Z"}))
    _, result = run_gate(pre, PREFLIGHT, marker="preflight",
                         env=pre.env(SOLVEREIGN_LKG_FILE=str(lkg)))
    assert "is not a commit" in _only_failure(result, "PF-012")["message"]



def test_pf012_last_known_good_with_a_malformed_sha(pre, tmp_path):
    lkg = tmp_path / "lkg.json"
    lkg.write_text(json.dumps({"rollback_sha": "HEAD~1", "timestamp": "2026-01-01T00:00:00Z"}))
    _, result = run_gate(pre, PREFLIGHT, marker="preflight",
                         env=pre.env(SOLVEREIGN_LKG_FILE=str(lkg)))
    assert "'HEAD~1' is not a commit sha" in _only_failure(result, "PF-012")["message"]


@pytest.mark.parametrize("break_it, revert, named", [
    ("ALTER ROLE solvereign_reporting LOGIN", "ALTER ROLE solvereign_reporting NOLOGIN",
     "solvereign_reporting (has LOGIN)"),
    ("REVOKE solvereign_reporting FROM solvereign_owner",
     "GRANT solvereign_reporting TO solvereign_owner",
     "solvereign_reporting (solvereign_owner is not a member)"),
])
def test_pf013_a_role_025g_needs_is_not_ready(pre, break_it, revert, named):
    """Roles are cluster-wide: broken for this run only, restored in a finally."""
    with psycopg.connect(pre.url("postgres"), autocommit=True) as conn:
        conn.execute(break_it)
        try:
            _, result = run_gate(pre, PREFLIGHT, marker="preflight")
        finally:
            conn.execute(revert)
    assert named in _only_failure(result, "PF-013")["message"]

def _invalid_index(pre) -> None:
    with psycopg.connect(pre.url("postgres"), autocommit=True) as conn:
        conn.execute("CREATE TABLE public.dupes (x int)")
        conn.execute("INSERT INTO public.dupes VALUES (1), (1)")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY dupes_x ON public.dupes (x)")


def _created(expires: str) -> str:
    """A `created` date the 90-day policy accepts: a past expiry was written before it, a
    future one today (issue 24: no waiver is written to last for years)."""
    from datetime import date, timedelta

    return min(date.today(), date.fromisoformat(expires) - timedelta(days=30)).isoformat()


def _waivers(tmp_path, *entries: tuple[str, str, str]) -> str:
    path = tmp_path / "waivers.toml"
    path.write_text("".join(
        f'[[waiver]]\ncheck = "{c}"\nobject = "{o}"\nreason = "known, fixed in 026"\n'
        f'approver = "Jane Doe"\ncreated = {_created(e)}\nexpires = {e}\n\n'
        for c, o, e in entries))
    return str(path)


def _soon() -> str:
    from datetime import date, timedelta

    return (date.today() + timedelta(days=30)).isoformat()


def test_waived_failure_passes_visibly_and_unmatched_waivers_are_reported(pre, tmp_path):
    _invalid_index(pre)
    soon = _soon()
    waivers = _waivers(tmp_path, ("PF-007", "public.dupes_x", soon),
                       ("PF-003", "nothing.here", soon))
    proc, result = run_gate(pre, PREFLIGHT, marker="preflight", extra=("--waivers", waivers))
    assert proc.returncode == 0 and "VERDICT: PASS" in proc.stdout
    check = next(c for c in result["checks"] if c["check_id"] == "PF-007")
    assert check["outcome"] == "waived" and check["waivers"][0]["approver"] == "Jane Doe"
    assert "(waived)" in proc.stdout
    assert result["waivers"]["unmatched"][0]["object"] == "nothing.here"
    assert "waiver matched nothing: PF-003 nothing.here" in proc.stdout
    folder = REPO / "reports" / result["run_id"]
    junit = _junit_system_out(folder / "junit.xml", "test_pf007_no_invalid_indexes")
    assert "check_status: waived" in junit and "public.dupes_x" in junit.split("evidence:")[1]
    assert '"approver": "Jane Doe"' in junit.split("waivers:")[1]
    (test,) = [t for t in json.loads((folder / "report.json").read_text())["tests"]
               if t["nodeid"].endswith("test_pf007_no_invalid_indexes")]
    assert test["metadata"]["waivers"][0]["object"] == "public.dupes_x"


def _junit_system_out(path: Path, test_name: str) -> str:
    """The <system-out> of one JUnit testcase (where the gate writes the check's metadata:
    the junit-10 schema allows no <properties> in a testcase)."""
    import xml.etree.ElementTree as ET

    tree = ET.parse(path)  # noqa: S314 (our own report)
    case = next(c for c in tree.iter("testcase") if c.get("name") == test_name)
    assert case.find("properties") is None
    return "".join(s.text or "" for s in case.findall("system-out"))


def test_junit_carries_id_severity_and_evidence_of_every_check(pre):
    _, result = run_gate(pre, PREFLIGHT, marker="preflight")
    folder = REPO / "reports" / result["run_id"]
    out = _junit_system_out(folder / "junit.xml", "test_pf007_no_invalid_indexes")
    assert "check_id: PF-007" in out and "check_severity: major" in out
    assert "indisvalid" in json.loads(out.split("evidence:\n", 1)[1])["queries"][0]["sql"]


def test_expired_waiver_counts_as_absent(pre, tmp_path):
    _invalid_index(pre)
    waivers = _waivers(tmp_path, ("PF-007", "public.dupes_x", "2020-01-01"))
    proc, result = run_gate(pre, PREFLIGHT, marker="preflight", extra=("--waivers", waivers))
    assert proc.returncode == 2 and statuses(result)["PF-007"] == "FAIL"
    assert "waiver expired (ignored): PF-007 public.dupes_x" in proc.stdout


def test_report_header_names_target_masked_and_server_version(pre):
    header = subprocess.run([sys.executable, "-m", "pytest", PREFLIGHT, "--co"],
                            cwd=REPO, env=pre.env(), capture_output=True, text=True,
                            check=False).stdout
    assert f"PostgreSQL {_major(pre)}" in header, header and "solvereign_migrator:***@" in header
    assert pre.passwords["solvereign_migrator"] not in header


def test_pf008_flag_missing_under_the_configured_label(pre):
    _, result = run_gate(pre, PREFLIGHT, marker="preflight",
                         env=pre.env(SOLVEREIGN_APPCONFIG_LABEL="blue"))
    check = _only_failure(result, "PF-008")
    assert "does not exist under label 'blue'" in check["message"]


def test_pf008_flag_with_a_malformed_value(pre):
    path = pre.workdir / "config-store.json"
    doc = json.loads(path.read_text())
    for item in doc["items"]:
        item["value"] = "yes"
    path.write_text(json.dumps(doc))
    _, result = run_gate(pre, PREFLIGHT, marker="preflight")
    check = _only_failure(result, "PF-008")
    assert "SOLVEREIGN_PLATFORM_WRITES_DISABLED under the null label holds 'yes'" in \
        check["message"]

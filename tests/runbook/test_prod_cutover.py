"""prod_cutover.sh refuses to start unless preflight passed and writes are proven frozen."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from cutover.evidence import bundle, keys
from cutover.pg.url import endpoint
from tests.api.conftest import probe_env
from tests.migrate.helpers import ledger_rows

REPO = Path(__file__).resolve().parents[2]


def _cutover(db, artifacts: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO / "scripts" / "prod_cutover.sh"), "--db-url", db.url(),
                           "--rc-tag", "v1.0.0-rc1", "--artifacts-dir", str(artifacts)],
                          capture_output=True, text=True, env=db.env(**env), timeout=300,
                          check=False)


def test_refuses_without_preflight(make_platform, tmp_path):
    db = make_platform("pre")
    before = ledger_rows(db.url())
    proc = _cutover(db, tmp_path / "a")
    assert proc.returncode == 1 and proc.stdout.rstrip().endswith("FAIL")
    assert "no preflight_result.json" in proc.stdout
    assert ledger_rows(db.url()) == before  # nothing migrated
    summary = json.loads((tmp_path / "a" / bundle.SUMMARY).read_text())
    assert summary["verdict"] == "FAIL" and summary["phases"]["preflight_check"]["outcome"] == \
        "FAIL"


def test_refuses_when_writes_are_not_frozen(make_platform, tmp_path):
    db = make_platform("pre")
    artifacts = tmp_path / "a"
    artifacts.mkdir()
    _preflight_passed(db, artifacts)
    before = ledger_rows(db.url())
    proc = _cutover(db, artifacts)
    assert proc.returncode == 1 and "writes are not proven frozen" in proc.stdout
    assert ledger_rows(db.url()) == before


def test_refuses_when_the_flag_was_re_enabled(make_platform, tmp_path):
    db = make_platform("pre")
    artifacts = tmp_path / "a"
    artifacts.mkdir()
    _preflight_passed(db, artifacts)
    (artifacts / "freeze_record.json").write_text(json.dumps(
        {"writes_disabled": True, "verified": True, "proven_at": "2026-11-28T02:00:00Z"}))
    proc = _cutover(db, artifacts)  # the store still says false
    assert proc.returncode == 1 and "writes were re-enabled since the freeze" in proc.stdout


def test_bad_url_is_one_line_exit_2(make_platform, tmp_path):
    db = make_platform("pre")
    proc = subprocess.run([str(REPO / "scripts" / "prod_cutover.sh"), "--db-url", "nope://x",
                           "--rc-tag", "t", "--artifacts-dir", str(tmp_path / "a")],
                          capture_output=True, text=True, env=db.env(), check=False)
    assert proc.returncode == 2 and "must start with postgresql://" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def _preflight_passed(db, artifacts: Path, **changes) -> None:
    """preflight_result.json as the gate writes it for this target, now."""
    artifacts.mkdir(parents=True, exist_ok=True)
    from cutover.approval import binding

    judged = binding.read_url(db.url()).as_dict()  # the gate names the database it judged
    doc = {"verdict": "PASS", "run_id": "t", "finished_at": datetime.now(UTC).isoformat(),
           "target": {"endpoint": endpoint(db.url()), "env": "development",
                      "database": judged, "database_after": judged}, **changes}
    (artifacts / "preflight_result.json").write_text(json.dumps(doc))


def test_refuses_a_preflight_of_another_target_env_or_day(make_platform, tmp_path):
    db = make_platform("pre")
    cases = [({"target": {"endpoint": "prod-db:5432/solvereign", "env": "development"}},
              "preflight passed for prod-db:5432/solvereign, not for 127.0.0.1:"),
             ({"target": {"endpoint": endpoint(db.url()), "env": "staging"}},
              "preflight passed for env staging"),
             ({"finished_at": "2026-01-01T00:00:00+00:00"}, "h ago (more than 12 h)")]
    for n, (changes, message) in enumerate(cases):
        artifacts = tmp_path / f"a{n}"
        _preflight_passed(db, artifacts, **changes)
        proc = _cutover(db, artifacts)
        assert proc.returncode == 1 and message in proc.stdout, proc.stdout
        assert ledger_rows(db.url())[-1][0] == "024"  # nothing applied


def _ready(db, artifacts: Path) -> None:
    """This run's preflight passed and writes are frozen (the store says so too)."""
    from cutover.configstore import WRITES_DISABLED_KEY, LocalConfigStore

    artifacts.mkdir(parents=True, exist_ok=True)
    _preflight_passed(db, artifacts)
    (artifacts / "freeze_record.json").write_text(json.dumps(
        {"writes_disabled": True, "verified": True, "flag_set_at": "2026-11-28T02:00:00+00:00",
         "proven_at": "2026-11-28T02:00:01+00:00"}))
    with LocalConfigStore(db.workdir / "config-store.json") as store:
        store.set_flag(WRITES_DISABLED_KEY, True)


def test_failing_migration_stops_at_the_last_good_file_and_a_rerun_resumes(make_platform,
                                                                           tmp_path):
    import shutil

    db = make_platform("pre")
    migrations = tmp_path / "migrations"
    shutil.copytree(REPO / "migrations", migrations)
    good = (migrations / "025c_rls_boundary_fix.sql").read_text()
    (migrations / "025c_rls_boundary_fix.sql").write_text(good + "\nSELECT 1 / 0;\n")
    artifacts = tmp_path / "a"
    _ready(db, artifacts)
    first = _cutover(db, artifacts, SOLVEREIGN_MIGRATIONS_DIR=str(migrations))
    assert first.returncode == 1 and "025c_rls_boundary_fix.sql" in first.stdout
    assert "division by zero" in first.stdout
    applied = [v for v, ok in ledger_rows(db.url()) if ok]
    assert applied[-1] == "025b"
    log = json.loads((artifacts / "migration_log.json").read_text())
    assert log["head"] == "025b_rls_role_lockdown" and log["verdict"] == "FAIL"
    (migrations / "025c_rls_boundary_fix.sql").write_text(good)  # the fix, never applied
    second = _cutover(db, artifacts, SOLVEREIGN_MIGRATIONS_DIR=str(migrations))
    log = json.loads((artifacts / "migration_log.json").read_text())
    assert [a["name"][:4] for a in log["applied"]] == ["025c", "025d", "025e", "025f", "025g",
                                                       "025h"]
    summary = json.loads((artifacts / bundle.SUMMARY).read_text())
    assert summary["phases"]["migrate"]["outcome"] == "PASS"
    assert summary["phases"]["verify_hardening"]["outcome"] == "PASS"
    assert summary["phases"]["security_gate"]["outcome"] == "PASS", second.stdout[-2000:]
    # No API to smoke-test: the smoke gate verified nothing, which is a FAIL that says so.
    assert second.returncode == 1 and "no check verified anything: not applicable: no API URL" \
        in second.stdout, second.stdout[-2000:]
    third = _cutover(db, artifacts, SOLVEREIGN_MIGRATIONS_DIR=str(migrations))
    assert "nothing to apply: the ledger is already at 025h_verify_effective_access" in third.stdout


def test_the_manual_runbook_from_backup_to_last_known_good(make_platform, start_api,
                                                           tmp_path):
    """The runbook by hand against a live API (§2.4 to §7.2): each command adds its artifact to
    the bundle and keeps it sealed; the cutover ends SUCCESS with its report and the
    writes-disabled window open; approval; enable closes the window, re-seals and re-renders;
    last-known-good names the approved commit. No secret lands in the bundle."""
    from tests.backup.test_incident import Receiver

    db = make_platform("pre")
    artifacts = tmp_path / "a"
    _ready(db, artifacts)
    api = start_api(db)
    receiver = Receiver()  # the notifier's webhook (issue 22): each payload's shape checked
    hook = {"SOLVEREIGN_NOTIFY_WEBHOOK_URL": receiver.url}

    def run(*cmd: str) -> subprocess.CompletedProcess:
        proc = subprocess.run(list(cmd), cwd=tmp_path, capture_output=True, text=True,
                              env={**db.env(), **probe_env(db), **hook}, timeout=300,
                              check=False)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return proc

    def cutover_cli(*args: str) -> subprocess.CompletedProcess:
        return run(sys.executable, "-m", "cutover.cli", *args)

    cutover_cli("backup", "--out", str(tmp_path / "backups"), "--artifacts-dir", str(artifacts))
    proc = run(str(REPO / "scripts" / "prod_cutover.sh"), "--db-url", db.url(), "--rc-tag",
               "v1.0.0-rc1", "--artifacts-dir", str(artifacts), "--api-url", api.url)
    assert proc.stdout.rstrip().endswith("SUCCESS")
    summary = bundle.load_summary(artifacts)
    assert summary["writes_disabled"] == {"from": "2026-11-28T02:00:00+00:00"}  # still frozen
    assert "writes disabled for <b>" not in (artifacts / "report.html").read_text()  # open
    gate = run(str(REPO / "scripts" / "ci" / "wien_roster_gate.sh"), "--skip-routing",
               "--dry-run", "--db-url", db.url(), "--artifacts-dir", str(artifacts))
    drill = run(sys.executable, str(REPO / "scripts" / "run_sick_call_drill.py"), "--dry-run",
                "--seed", "94", "--absent-drivers", "DRV001,DRV002,DRV003", "--tenant",
                "wien_pilot", "--db-url", db.url(), "--artifacts-dir", str(artifacts))
    for out in (gate.stdout, drill.stdout):
        assert f"re-sealed {artifacts}" in out
    assert bundle.verify(artifacts, keys.verifying_key(env=db.env())).ok

    cutover_cli("approve", "--artifacts-dir", str(artifacts), "--approver", "Jane Doe")
    enabled = cutover_cli("enable", "--artifacts-dir", str(artifacts), "--api-url", api.url)
    assert "WRITES ENABLED" in enabled.stdout
    receiver.close()
    assert receiver.problems == []
    assert receiver.events() == ["cutover_started", "approved", "enabled"]
    assert {p["evidence"] for p in receiver.payloads} == {str(artifacts.resolve())}
    assert bundle.load_summary(artifacts)["notifications"][0]["sent"] is True
    assert json.loads((artifacts / "enable_record.json").read_text())["notification"]["sent"]
    window = bundle.load_summary(artifacts)["writes_disabled"]
    assert window["from"] == "2026-11-28T02:00:00+00:00" and window["seconds"] > 0
    assert f"writes disabled for <b>{window['seconds']} s</b>" in \
        (artifacts / "report.html").read_text()
    lkg_file = tmp_path / "lkg.json"
    cutover_cli("last-known-good", "--artifacts-dir", str(artifacts), "--lkg-file", str(lkg_file))
    record = json.loads(lkg_file.read_text())
    assert record["ledger_head"] == "025h_verify_effective_access"
    assert record["rc_tag"] == "v1.0.0-rc1"
    assert record["backup"]["path"].startswith(str(tmp_path / "backups"))
    assert bundle.verify(artifacts, keys.verifying_key(env=db.env())).ok
    for secret in db.secrets():
        for path in artifacts.iterdir():
            assert secret not in path.read_text(), path.name


def test_an_api_that_ignores_the_freeze_fails_the_cutover(make_platform, start_api, tmp_path):
    """The cutover runs frozen: an API still reporting writes enabled fails the smoke tests."""
    db = make_platform("pre")
    artifacts = tmp_path / "a"
    _ready(db, artifacts)
    api = start_api(db, SOLVEREIGN_SANDBOX_FAULTS="ignore_flag")
    proc = subprocess.run([str(REPO / "scripts" / "prod_cutover.sh"), "--db-url", db.url(),
                           "--rc-tag", "v1.0.0-rc1", "--artifacts-dir", str(artifacts),
                           "--api-url", api.url], capture_output=True, text=True,
                          env={**db.env(), **probe_env(db)}, timeout=300, check=False)
    assert proc.returncode == 1 and proc.stdout.rstrip().endswith("FAIL"), proc.stdout
    assert "writes_enabled=true, this phase expects false" in proc.stdout

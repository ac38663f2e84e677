"""A target the tool did not start (issue 16.3): the runbook through URLs only.

An operator starts a PostgreSQL cluster from plain binaries (tests/external/by_hand.py:
initdb + pg_ctl, Debian's PostgreSQL 15 when installed), prepares a staging copy with the
project's own command (`cutover staging prepare`), and starts the platform's API as a process
of its own. Every runbook command then gets nothing but URLs and the runbook's settings: no
`cutover sandbox` runs and no SOLVEREIGN_SANDBOX_DIR exists in any environment. The staging
soak runs against the same target by URL, each iteration restoring its own backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest

from cutover.configstore import WRITES_DISABLED_KEY, LocalConfigStore
from cutover.migrate import ledger
from tests.external import by_hand

REPO = Path(__file__).resolve().parents[2]
DB = "solvereign_staging"
PRE = "024_table_classification"
#: what a deployment gives the API process: its two logins, its secrets, its environment
API_SETTINGS = ("SOLVEREIGN_API_DB_URL", "SOLVEREIGN_PLATFORM_DB_URL", "SOLVEREIGN_ENV",
                "SOLVEREIGN_SESSION_SECRET", "SOLVEREIGN_HMAC_SECRET")


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("SOLVEREIGN_", "PG", "DATABASE_URL"))}


def _read_env_file(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        found[name] = shlex.split(value)[0]
    return found


def _head(url: str) -> str | None:
    with psycopg.connect(url) as conn:
        return ledger.head(conn)


@pytest.fixture(scope="module")
def target():
    """Cluster by hand, `cutover staging prepare`, the API by hand; the runbook's settings."""
    # not under pytest's tmp root (0700): the server may run as another user
    root = Path(tempfile.mkdtemp(prefix="solvereign-external-"))
    cluster = by_hand.OperatorCluster(root / "pg", by_hand.pg_bin()).start()
    api_dir = root / "api"
    try:
        env_file = root / "staging.env"
        proc = subprocess.run([sys.executable, "-m", "cutover.cli", "staging", "prepare",
                               "--admin-url", cluster.admin_url, "--db", DB, "--env-file",
                               str(env_file)], cwd=root, env=_clean_env(), capture_output=True,
                              text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        settings = _read_env_file(env_file)
        store = root / "config-store.json"
        with LocalConfigStore(store) as flags:  # the platform's store: writes on
            flags.set_flag(WRITES_DISABLED_KEY, False)
        api_env = {**_clean_env(), **{k: settings[k] for k in API_SETTINGS},
                   "SOLVEREIGN_CONFIG_STORE_FILE": str(store)}
        api_url = by_hand.start_api(api_dir, api_env)
        keys = root / "keys"
        subprocess.run([sys.executable, "-m", "cutover.cli", "evidence", "keygen", "--out",
                        str(keys)], env=_clean_env(), check=True, capture_output=True)
        env = {**_clean_env(), **settings, "SOLVEREIGN_API_URL": api_url,
               "SOLVEREIGN_CONFIG_STORE_FILE": str(store),
               "SOLVEREIGN_PG_BIN": str(by_hand.pg_bin()),
               "SOLVEREIGN_EVIDENCE_SIGNING_KEY": str(keys / "evidence_signing.key"),
               "SOLVEREIGN_EVIDENCE_PUBLIC_KEY": str(keys / "evidence_signing.pub"),
               "SOLVEREIGN_REDEPLOY_COMMAND": shlex.join(
                   [sys.executable, str(REPO / "tests/external/by_hand.py"), "restart-api",
                    str(api_dir)])}
        yield {"env": env, "root": root, "cluster": cluster, "prepare": proc}
    finally:
        by_hand.stop_api(api_dir)
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def _secrets(env: dict[str, str]) -> list[str]:
    found = [urlsplit(v).password for v in env.values() if v.startswith("postgresql://")]
    found += [v for k, v in env.items() if any(w in k for w in ("SECRET", "PASSWORD", "KEY_"))]
    return [s for s in found if s]


def _writes_enabled_shown(api: str, bound: float = 60.0) -> bool:
    """The API reports writes enabled (it re-reads the flag every few seconds): waits for
    that event within a bound."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if httpx.get(f"{api}/health", timeout=10).json().get("writes_enabled") is True:
            return True
        time.sleep(0.2)
    return False


def _assert_no_secret(folder: Path, env: dict[str, str]) -> None:
    secrets = _secrets(env)
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix != ".dump":
            text = path.read_text(errors="replace")
            leaked = [s for s in secrets if s in text]
            assert not leaked, f"{path} holds a secret"


def test_prepare_made_a_pre_cutover_copy_and_printed_no_secret(target):
    env, proc = target["env"], target["prepare"]
    assert _head(env["SOLVEREIGN_DB_URL"]) == PRE
    assert oct((target["root"] / "staging.env").stat().st_mode & 0o777) == "0o600"
    out = proc.stdout + proc.stderr
    assert not [s for s in _secrets(env) if s in out]
    with psycopg.connect(env["SOLVEREIGN_DB_URL"]) as conn:
        owner = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database"
                             " WHERE datname = current_database()").fetchone()[0]
        tenants = conn.execute("SELECT count(*) FROM core.tenants").fetchone()[0]
        version = conn.execute("SHOW server_version_num").fetchone()[0]
    assert owner == "solvereign_owner" and tenants > 0
    if by_hand.pg_bin() == by_hand.DEBIAN_BIN:
        assert version.startswith("15")


def test_prepare_refuses_an_existing_database_and_changes_nothing(target):
    """Bad input before any change: the roles keep their passwords (the URLs still work)."""
    env = target["env"]
    proc = subprocess.run([sys.executable, "-m", "cutover.cli", "staging", "prepare",
                           "--admin-url", target["cluster"].admin_url, "--db", DB,
                           "--env-file", str(target["root"] / "again.env")],
                          env=_clean_env(), capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"cutover: error: database {DB} already exists: prepare makes a fresh copy "
        "(--replace drops it first)"]
    assert not (target["root"] / "again.env").exists()
    assert _head(env["SOLVEREIGN_DB_URL"]) == PRE  # the migrator's password still works


def test_prepare_as_a_login_that_cannot_make_roles_stops_in_one_line(target):
    """An admin URL without the right to create roles (here: the migrator): exit 2, one
    line naming the refusal, no password in it, no database and no file made."""
    env = target["env"]
    proc = subprocess.run([sys.executable, "-m", "cutover.cli", "staging", "prepare",
                           "--admin-url", env["SOLVEREIGN_DB_URL"], "--db", "other_copy",
                           "--env-file", str(target["root"] / "other.env")],
                          env=_clean_env(), capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("cutover: error: staging prepare stopped: "), line
    assert "must be superuser" in line or "permission denied" in line, line
    assert "--replace" not in line  # nothing was created
    assert not [s for s in _secrets(env) if s in proc.stdout + proc.stderr]
    assert not (target["root"] / "other.env").exists()
    with psycopg.connect(env["SOLVEREIGN_DB_URL"]) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = 'other_copy'"
                            ).fetchone()[0] == 0
    assert _head(env["SOLVEREIGN_DB_URL"]) == PRE  # the roles' passwords are unchanged


def test_prepare_refuses_a_malformed_database_name():
    proc = subprocess.run([sys.executable, "-m", "cutover.cli", "staging", "prepare",
                           "--admin-url", "postgresql://postgres@127.0.0.1:1/postgres",
                           "--db", "Bad-Name", "--env-file", "/tmp/x.env"],
                          env=_clean_env(), capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "'Bad-Name'" in proc.stderr


@pytest.mark.slow
def test_the_runbook_runs_against_the_target_through_urls_only(target, tmp_path):
    """preflight, freeze, backup, prod_cutover.sh, drills, approve, enable, rollback: each
    exits 0 with URLs only; the soak refuses the target while it is cut over; the rollback
    brings back the pre-cutover head and the API takes writes again."""
    env = {**target["env"], "SOLVEREIGN_LKG_FILE": str(tmp_path / "lkg.json")}
    db, api = env["SOLVEREIGN_DB_URL"], env["SOLVEREIGN_API_URL"]
    artifacts = tmp_path / "a"

    def run(*cmd: str, code: int = 0) -> subprocess.CompletedProcess:
        assert not any(k.startswith("SOLVEREIGN_SANDBOX") for k in env)
        proc = subprocess.run(list(cmd), cwd=tmp_path, capture_output=True, text=True,
                              env=env, timeout=900, check=False)
        assert proc.returncode == code, (f"{cmd[:3]}: {proc.stdout[-3000:]}"
                                         f"{proc.stderr[-3000:]}")
        return proc

    def cli(*args: str) -> subprocess.CompletedProcess:
        return run(sys.executable, "-m", "cutover.cli", *args)

    run(sys.executable, str(REPO / "scripts/prod_preflight_check.py"), "--db-url", db,
        "--env", "staging", "--artifacts-dir", str(artifacts), "--api-url", api)
    cli("freeze", "--api-url", api, "--artifacts-dir", str(artifacts))
    backup = cli("backup", "--out", str(tmp_path / "backups"), "--artifacts-dir",
                 str(artifacts))
    assert "restore check: restored into" in backup.stdout + backup.stderr
    cut = run(str(REPO / "scripts/prod_cutover.sh"), "--db-url", db, "--env", "staging",
              "--rc-tag", "v1.0.0-rc1", "--artifacts-dir", str(artifacts), "--api-url", api)
    assert cut.stdout.rstrip().endswith("SUCCESS")
    latest = _head(db)
    assert latest != PRE

    # the soak starts only from a pre-cutover target: refused now, naming where it stands
    soak = run(str(REPO / "scripts/w02_staging_soak.sh"), "--db-url", db, "--api-url", api,
               "--iterations", "1", "--artifacts-dir", str(tmp_path / "soak"), code=2)
    assert soak.stderr.strip().splitlines() == [soak.stderr.strip()]
    assert f"is at {latest}, not at the pre-cutover schema" in soak.stderr
    assert not list((tmp_path / "soak").glob("soak_*"))

    run(str(REPO / "scripts/ci/wien_roster_gate.sh"), "--skip-routing", "--dry-run",
        "--db-url", db, "--artifacts-dir", str(artifacts))
    run(sys.executable, str(REPO / "scripts/run_sick_call_drill.py"), "--dry-run", "--seed",
        "94", "--absent-drivers", "DRV001,DRV002,DRV003", "--tenant", "wien_pilot",
        "--db-url", db, "--artifacts-dir", str(artifacts))
    cli("approve", "--artifacts-dir", str(artifacts), "--approver", "Jane Doe")
    assert "WRITES ENABLED" in cli("enable", "--artifacts-dir", str(artifacts), "--api-url",
                                   api).stdout
    dump = sorted((tmp_path / "backups").glob("*.dump"))[-1]
    rolled = cli("rollback", "--db-url", db, "--backup", str(dump))
    out = rolled.stdout + rolled.stderr
    assert "post-rollback gate: PASS" in out and "API restarted at" in out
    assert _head(db) == PRE
    assert _writes_enabled_shown(api)  # the API re-reads the flag on its own interval
    _assert_no_secret(artifacts, env)
    assert not (tmp_path / ".sandbox").exists()  # no command fell back to a sandbox


def test_the_soak_refuses_bad_targets_in_one_line(target, tmp_path):
    """No API at the URL, a production environment, target flags without --db-url:
    exit 2, one line, no soak folder."""
    env, soak = target["env"], str(REPO / "scripts/w02_staging_soak.sh")
    db = env["SOLVEREIGN_DB_URL"]
    cases = [
        ([soak, "--db-url", db, "--api-url", "http://127.0.0.1:9"], {},
         "the API at http://127.0.0.1:9 does not answer /health"),
        ([soak, "--db-url", db], {"SOLVEREIGN_ENV": "production"},
         "SOLVEREIGN_ENV is production"),
        ([soak, "--api-url", env["SOLVEREIGN_API_URL"]], {}, "give --db-url too"),
    ]
    for argv, extra, expected in cases:
        proc = subprocess.run([*argv, "--iterations", "1", "--artifacts-dir",
                               str(tmp_path)], env={**env, **extra}, capture_output=True,
                              text=True, timeout=120, check=False)
        assert proc.returncode == 2, (argv, proc.stdout[-1000:], proc.stderr[-1000:])
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], lines
        assert not [s for s in _secrets(env) if s in proc.stdout + proc.stderr]
    assert not list(tmp_path.glob("soak_*"))


def _kept(env: dict) -> set[str]:
    """The rolled-back copies of the target on its cluster now."""
    from cutover.runbook.external import kept_copies

    return kept_copies(env["SOLVEREIGN_ADMIN_DB_URL"], env["SOLVEREIGN_DB_URL"])


@pytest.mark.slow
def test_a_two_iteration_soak_by_url_restores_each_iterations_backup(target, tmp_path):
    env = target["env"]
    proc = subprocess.run([str(REPO / "scripts/w02_staging_soak.sh"), "--db-url",
                           env["SOLVEREIGN_DB_URL"], "--api-url", env["SOLVEREIGN_API_URL"],
                           "--iterations", "2", "--with-drills", "--artifacts-dir",
                           str(tmp_path)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=3600, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert proc.stdout.rstrip().endswith("VERDICT: PASS")
    report = json.loads(next(tmp_path.glob("soak_*/soak_report.json")).read_text())
    assert report["results"]["determinism"] == "PASS"
    assert report["results"]["fail_count"] == 0
    assert report["target"]["external"] is True and "***@" in report["target"]["db_url"]
    backups = set()
    for run in report["iterations"]:
        r = run["restoration"]
        assert run["rollback_drill"] is True and r["restored"] is True
        assert r["backup_verified"] is True and r["rollback_drill"] == "PASS"
        assert r["ledger_head_after"] == r["backup_ledger_head"] == PRE
        assert hashlib.sha256(Path(r["backup"]).read_bytes()).hexdigest() == r["backup_sha256"]
        backups.add(r["backup"])
        summary = json.loads((Path(run["bundle"]) / "cutover_summary.json").read_text())
        assert summary["sandbox"] is False  # the evidence names a staging target
        assert "staging target rehearsal" in summary["approval_note"]
    assert len(backups) == 2  # each iteration its own backup
    assert _head(env["SOLVEREIGN_DB_URL"]) == PRE
    # each restored iteration dropped the full copies its two rollbacks kept aside
    dropped = [set(run["restoration"]["copies_dropped"]) for run in report["iterations"]]
    assert all(len(d) == 2 for d in dropped) and not dropped[0] & dropped[1], dropped
    assert not _kept(env) & (dropped[0] | dropped[1])
    _assert_no_secret(tmp_path, env)
    assert not (tmp_path / ".sandbox").exists() and "cutover sandbox" not in proc.stdout


def test_restoration_is_true_only_when_the_drill_passed_and_the_live_head_is_the_backups(
        target, tmp_path):
    """The soak's per-iteration judgement, against the live target (at 024): a failed
    drill, a backup of another head, an unreachable target each make `restored` false."""
    from cutover.runbook.soak import restoration

    db = target["env"]["SOLVEREIGN_DB_URL"]

    def judge(drill: str | None, head: str, url: str = db) -> dict:
        bundle = tmp_path / f"b{len(list(tmp_path.iterdir()))}"
        bundle.mkdir()
        (bundle / "backup_manifest.json").write_text(json.dumps(
            {"path": "/x.dump", "dump": {"sha256": "ab" * 32}, "ledger_head": head,
             "verified": True}))
        if drill:
            (bundle / "rollback_drill.json").write_text(json.dumps({"verdict": drill}))
        return restoration(bundle, url)

    good = judge("PASS", PRE)
    assert good["restored"] is True and good["ledger_head_after"] == PRE
    assert good["backup_sha256"] == "ab" * 32 and good["backup_verified"] is True
    assert judge("FAIL", PRE)["restored"] is False
    assert judge(None, PRE)["restored"] is False
    assert judge("PASS", "025h_verify_effective_access")["restored"] is False
    gone = judge("PASS", PRE, db.replace(f":{urlsplit(db).port}/", ":9/"))
    assert gone["restored"] is False and gone["ledger_head_after"] is None
    assert "problem" in gone and urlsplit(db).password not in gone["problem"]


@pytest.mark.slow
def test_the_soak_stops_when_an_iteration_leaves_the_target_unrestored(target, tmp_path):
    """Kill case: a redeploy that fails makes the aftermath drill's rollback stop after the
    swap, so iteration 1 leaves the target cut over: `restored` false, the soak stops before
    iteration 2 and fails. The operator's `cutover rollback` to that iteration's backup then
    brings the target back (and leaves it pre-cutover for the other tests)."""
    env = {**target["env"], "SOLVEREIGN_REDEPLOY_COMMAND": "false"}
    proc = subprocess.run([str(REPO / "scripts/w02_staging_soak.sh"), "--db-url",
                           env["SOLVEREIGN_DB_URL"], "--api-url", env["SOLVEREIGN_API_URL"],
                           "--iterations", "2", "--artifacts-dir", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=3600,
                          check=False)
    assert proc.returncode == 1, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "soak stopped: iteration 1 did not return the target to its pre-cutover state; " \
           "1 iteration(s) not run" in proc.stdout
    assert "redeploy command exited 1" in proc.stdout  # the break made, nothing else
    report = json.loads(next(tmp_path.glob("soak_*/soak_report.json")).read_text())
    [run] = report["iterations"]
    r = run["restoration"]
    assert run["ok"] is False and r["restored"] is False and r["rollback_drill"] is None
    assert r["ledger_head_after"] != PRE and r["backup_ledger_head"] == PRE
    assert report["results"]["fail_count"] == 2 and report["results"]["stopped"]
    assert r["copies_kept"] and set(r["copies_kept"]) <= _kept(env)  # kept to investigate

    repaired = subprocess.run([sys.executable, "-m", "cutover.cli", "rollback", "--db-url",
                               env["SOLVEREIGN_DB_URL"], "--backup", r["backup"]],
                              cwd=tmp_path, env=target["env"], capture_output=True, text=True,
                              timeout=900, check=False)
    assert repaired.returncode == 0, repaired.stdout[-3000:] + repaired.stderr[-2000:]
    assert _head(env["SOLVEREIGN_DB_URL"]) == PRE
    assert _writes_enabled_shown(env["SOLVEREIGN_API_URL"])

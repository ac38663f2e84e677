"""`cutover migrate` on the command line: status codes and bad input as one line, exit 2."""

from __future__ import annotations

import os
import socket

import pytest

from cutover.pg.url import with_database
from tests.migrate.helpers import cli, write

BASE = {"001_a.sql": "CREATE TABLE public.a (id int);", "002_b.sql": "SELECT 1;"}


def _env(url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    if url:
        env["SOLVEREIGN_DB_URL"] = url
    return env


def _one_line_error(proc) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_status_codes_follow_the_contract(empty_db, tmp_path):
    d = write(tmp_path / "m", BASE)
    assert cli("migrate", "status", "--dir", str(d), env=_env(empty_db)).returncode == 1
    applied = cli("migrate", "--dir", str(d), env=_env(empty_db))
    assert applied.returncode == 0, applied.stderr
    up = cli("migrate", "status", "--dir", str(d), env=_env(empty_db))
    assert up.returncode == 0 and "up to date" in up.stdout
    (d / "001_a.sql").write_text("CREATE TABLE public.a (id bigint);")
    drift = cli("migrate", "status", "--dir", str(d), env=_env(empty_db))
    assert drift.returncode == 2 and "001_a.sql was edited" in drift.stderr


def test_dry_run_prints_the_plan(empty_db, tmp_path):
    d = write(tmp_path / "m", BASE)
    proc = cli("migrate", "--dry-run", "--dir", str(d), "--db-url", empty_db)
    assert proc.returncode == 0
    assert "would apply 2 file(s)" in proc.stdout and "001_a" in proc.stdout


@pytest.mark.parametrize("files, expected", [
    ({"1_short.sql": "SELECT 1;"}, "malformed migration file name: 1_short.sql"),
    ({"001-dash.sql": "SELECT 1;"}, "malformed migration file name: 001-dash.sql"),
    ({"001_A_upper.sql": "SELECT 1;"}, "malformed migration file name: 001_A_upper.sql"),
    ({"001_a.sql": "SELECT 1;", "001_b.sql": "SELECT 1;"}, "two migrations share version 001"),
    ({"README.md": "not sql"}, "no migration files"),
])
def test_malformed_directories(empty_db, tmp_path, files, expected):
    d = write(tmp_path / "m", files)
    line = _one_line_error(cli("migrate", "--dir", str(d), "--db-url", empty_db))
    assert expected in line


def test_missing_directory(empty_db, tmp_path):
    line = _one_line_error(cli("migrate", "--dir", str(tmp_path / "nope"), "--db-url", empty_db))
    assert "--dir" in line and "does not exist" in line


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_bad_targets_are_one_line_with_the_password_masked(empty_db, tmp_path):
    d = write(tmp_path / "m", BASE)
    good_user = empty_db.split("//", 1)[1].split(":", 1)[0]
    cases = {
        "server unreachable": f"postgresql://u:s3cretpw@127.0.0.1:{_closed_port()}/db",
        "authentication failed": empty_db.replace("@", "x@", 1).replace(
            f"//{good_user}:", f"//{good_user}:s3cretpw", 1),
        "database does not exist": with_database(empty_db, "no_such_db"),
        "must start with postgresql://": "mysql://u:s3cretpw@h/db",
        "not a valid URL": "postgresql://u:s3cretpw@h:port/db",
        "names no database": "postgresql://u:s3cretpw@127.0.0.1:5432",
    }
    for expected, url in cases.items():
        line = _one_line_error(cli("migrate", "--dir", str(d), "--db-url", url))
        assert expected in line, (expected, line)
        assert "s3cretpw" not in line


def test_missing_url_names_the_variable(tmp_path):
    d = write(tmp_path / "m", BASE)
    line = _one_line_error(cli("migrate", "--dir", str(d), env=_env()))
    assert "SOLVEREIGN_DB_URL is not set" in line

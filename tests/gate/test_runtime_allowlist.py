"""The reviewed runtime allowlist (checks/allowlist/runtime_privileges.toml) and its loader:
the shipped file is valid, and a broken one is one clear line, never a traceback or a pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.p3_postmigration import runtime_allowlist as ra
from checks.p3_postmigration.test_pm018_parameter_privileges import parameter_acl_exists
from cutover.errors import ConfigError
from cutover.gate.verdict import NA, CheckResult

GOOD = """version = 1
[[privilege]]
role = "solvereign_api"
kind = "table"
object = "roster.drivers"
privileges = ["SELECT", "DELETE"]
why = "pack reads"
[[membership]]
role = "solvereign_platform"
group = "h19_readers"
why = "reviewed"
[harmless_settings]
Statement_Timeout = "bounds a query"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "runtime_privileges.toml"
    path.write_text(text)
    return path


def test_the_shipped_allowlist_is_valid_and_names_no_membership():
    allow = ra.load()
    roles = {g.role for g in allow.grants}
    assert roles == set(ra.RUNTIME_ROLES)
    assert allow.memberships == []  # docs/database.md names none for the runtime roles
    assert "app.tenant_id" not in allow.harmless_settings
    assert "session_replication_role" not in allow.harmless_settings
    assert "search_path" not in allow.harmless_settings
    # nothing that RLS cannot bound is allowlisted for the api role
    api = {(g.kind, g.object, g.privilege) for g in allow.grants if g.role == "solvereign_api"}
    assert not {p for _, _, p in api} & {"TRUNCATE", "REFERENCES", "TRIGGER", "CREATE"}
    assert ("materialized view", "routing.mv_route_daily", "SELECT") not in api


def test_parameters_are_parallel_arrays(tmp_path):
    allow = ra.load(_write(tmp_path, GOOD))
    assert allow.privilege_params() == {
        "a_role": ["solvereign_api"] * 2, "a_kind": ["table"] * 2,
        "a_object": ["roster.drivers"] * 2, "a_priv": ["SELECT", "DELETE"]}
    assert allow.membership_params() == {"m_role": ["solvereign_platform"],
                                         "m_group": ["h19_readers"]}
    assert allow.setting_params() == {"harmless": ["statement_timeout"]}


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace('why = "pack reads"\n', ""), "privilege #1: 'why' must be"),
    (lambda t: t.replace('"solvereign_api"', '"solvereign_owner"'),
     "role 'solvereign_owner' is not a runtime role"),
    (lambda t: t.replace('kind = "table"', 'kind = "tabel"'), "kind 'tabel' is not one of"),
    (lambda t: t.replace('"DELETE"', '"EXECUTE"'), "'EXECUTE' is not a privilege of a table"),
    (lambda t: t.replace("version = 1", "version = 2"), "'version' must be 1"),
    (lambda t: t + "[extra]\nx = 1\n", "unknown key(s) extra"),
    (lambda t: t.replace('Statement_Timeout = "bounds a query"', 'work_mem = ""'),
     "harmless_settings without a reason: work_mem"),
    (lambda t: t.replace('privileges = ["SELECT", "DELETE"]', "privileges = []"),
     "'privileges' must be a non-empty list"),
    (lambda t: t.replace("[[privilege]]", "[[privilege"), "is not valid TOML"),
])
def test_a_broken_allowlist_is_one_line_naming_the_entry(tmp_path, change, message):
    path = _write(tmp_path, change(GOOD))
    with pytest.raises(ConfigError) as exc:
        ra.load(path)
    text = str(exc.value)
    assert message in text and str(path) in text and "\n" not in text


def test_a_missing_allowlist_fails_the_check_in_one_line(tmp_path):
    with pytest.raises(pytest.fail.Exception) as exc:
        ra.load_or_fail(tmp_path / "absent.toml")
    assert "unreadable" in str(exc.value) and "Traceback" not in str(exc.value)


def test_parameter_privileges_are_judged_from_postgresql_15_and_not_applicable_before():
    assert not parameter_acl_exists(140011)
    assert parameter_acl_exists(150000) and parameter_acl_exists(160002)
    skipped = CheckResult("PM-018", "blocker", "t", "skipped",
                          message="not applicable: parameter privileges (pg_parameter_acl) "
                                  "exist from PostgreSQL 15 on; this server is 140011")
    assert skipped.status == NA

"""The last-known-good record and the redeploy hook that consumes its rollback_sha."""

from __future__ import annotations

import json
import sys

import pytest

from cutover import release
from cutover.approval import lkg
from cutover.errors import ConfigError
from cutover.rollback import redeploy

GOOD = {
    "rollback_sha": "0123456789abcdef0123456789abcdef01234567",
    "rc_tag": "rc-2026.11.1",
    "timestamp": "2026-11-28T02:00:00+00:00",
    "ledger_head": "025f_public_and_default_privileges",
    "backup": {"path": "backups/solvereign_pre_cutover_20261128T010000Z.dump",
               "sha256": "a" * 64},
    "evidence_bundle": {"path": "artifacts/prod_cutover_20261128T010000Z",
                        "summary_sha256": "b" * 64},
}


def test_write_then_read_round_trips_atomically(tmp_path):
    path = tmp_path / ".claude" / "state" / "last-known-good.json"
    record = lkg.validate(path, GOOD)
    assert lkg.write(record, path) == path
    assert lkg.read(path) == record
    assert json.loads(path.read_text()) == {**GOOD, "tool": release.tool()}
    assert [p.name for p in path.parent.iterdir()] == ["last-known-good.json"]


def test_a_missing_file_is_no_record(tmp_path):
    assert lkg.read(tmp_path / "absent.json") is None


def test_the_path_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(lkg.PATH_VAR, str(tmp_path / "x.json"))
    assert lkg.default_path() == tmp_path / "x.json"
    monkeypatch.delenv(lkg.PATH_VAR)
    assert lkg.default_path() == lkg.DEFAULT_PATH
    monkeypatch.setenv(lkg.PATH_VAR, " ")
    with pytest.raises(ConfigError, match="SOLVEREIGN_LKG_FILE is set but empty"):
        lkg.default_path()


@pytest.mark.parametrize(("change", "message"), [
    ({"rollback_sha": "not-a-sha"}, "rollback_sha 'not-a-sha' is malformed"),
    ({"rollback_sha": None}, "rollback_sha is missing"),
    ({"rc_tag": ""}, "rc_tag is missing"),
    ({"timestamp": "yesterday"}, "is not ISO 8601"),
    ({"timestamp": "2026-11-28T02:00:00"}, "has no time zone"),
    ({"backup": "backups/x.dump"}, "backup must be an object"),
    ({"backup": {"path": "x", "sha256": "short"}}, "sha256 'short' is malformed"),
    ({"evidence_bundle": {"path": "x"}}, "summary_sha256 is missing"),
])
def test_a_malformed_record_is_a_clear_config_error(tmp_path, change, message):
    path = tmp_path / "lkg.json"
    path.write_text(json.dumps({**GOOD, **change}))
    with pytest.raises(ConfigError, match=message) as err:
        lkg.read(path)
    assert str(path) in str(err.value)


def test_broken_json_is_a_clear_config_error(tmp_path):
    path = tmp_path / "lkg.json"
    path.write_text('{"rollback_sha": ')
    with pytest.raises(ConfigError, match="is not valid JSON"):
        lkg.read(path)
    path.write_text("[]")
    with pytest.raises(ConfigError, match="not a JSON object"):
        lkg.read(path)


def test_the_rollback_cli_refuses_a_malformed_record_before_any_change(pre_db):
    from tests.backup.conftest import cli, writes_disabled

    (pre_db.workdir / "lkg.json").write_text("{broken")
    proc = cli(pre_db, "rollback", "--backup", str(pre_db.workdir / "none.dump"))
    assert proc.returncode == 2
    assert "last-known-good file" in proc.stderr and proc.stderr.count("\n") == 1
    assert not writes_disabled(pre_db)


# -- the redeploy template ---------------------------------------------------------------


def test_placeholders_stay_inside_their_argument():
    command = redeploy.parse({redeploy.COMMAND_VAR: "deploy --sha={rollback_sha} '{rc_tag}'"})
    assert command is not None
    argv = command.argv({"rollback_sha": "abc1234", "rc_tag": "rc 1; rm -rf /"})
    assert argv == ["deploy", "--sha=abc1234", "rc 1; rm -rf /"]


def test_unset_template_means_no_hook_and_bad_ones_are_refused():
    assert redeploy.parse({}) is None
    with pytest.raises(ConfigError, match="unknown placeholder"):
        redeploy.parse({redeploy.COMMAND_VAR: "deploy {password}"})
    with pytest.raises(ConfigError, match="cannot be split"):
        redeploy.parse({redeploy.COMMAND_VAR: "deploy 'unclosed"})
    command = redeploy.parse({redeploy.COMMAND_VAR: "deploy {rollback_sha}"})
    with pytest.raises(ConfigError, match="no value is known"):
        command.argv({"rollback_sha": ""})


def test_a_failing_redeploy_is_named_with_its_exit_code():
    command = redeploy.parse({redeploy.COMMAND_VAR: f"{sys.executable} -c 'raise "
                                                    "SystemExit(\"boom\")'"})
    with pytest.raises(redeploy.RedeployFailed, match="exited 1: boom"):
        redeploy.run(command, {})

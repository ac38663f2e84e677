"""The reviewed lists in checks/allowlist/*.toml reach the checks' SQL as inline relations;
an unreadable list or an entry without a reason is one clear failure, never a guess."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from fixtures.db import reviewed_list_sql

REPO = Path(__file__).resolve().parents[2]
LISTS = ("schemas", "global_tables", "event_triggers", "publications")


def _check_dir(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / "allowlist").mkdir()
    (tmp_path / "allowlist" / f"{name}.toml").write_text(text)
    (tmp_path / "p3").mkdir()
    return tmp_path / "p3"


def test_entries_become_a_relation_of_names(tmp_path):
    folder = _check_dir(tmp_path, "x", '"it\'s.odd" = "quoted"\ncore = "reason"\n')
    assert reviewed_list_sql(folder, "x") == (
        "(SELECT * FROM (VALUES ('core'), ('it''s.odd')) AS reviewed(name))")


def test_an_empty_list_is_an_empty_relation(tmp_path):
    folder = _check_dir(tmp_path, "x", "# nothing reviewed\n")
    assert reviewed_list_sql(folder, "x") == "(SELECT NULL::text AS name WHERE false)"


@pytest.mark.parametrize("text, message", [
    ('core = ""\n', "entries without a reason: core"),
    ("core = 1\n", "entries without a reason: core"),
    ("core = \n", "unreadable"),
])
def test_bad_lists_fail_naming_the_file(tmp_path, text, message):
    folder = _check_dir(tmp_path, "x", text)
    with pytest.raises(pytest.fail.Exception, match=message):
        reviewed_list_sql(folder, "x")


def test_a_missing_list_fails_naming_it(tmp_path):
    (tmp_path / "p3").mkdir()
    with pytest.raises(pytest.fail.Exception, match=r"nothere\.toml unreadable"):
        reviewed_list_sql(tmp_path / "p3", "nothere")


@pytest.mark.parametrize("name", LISTS)
def test_the_repository_lists_give_every_entry_a_reason(name):
    entries = tomllib.loads((REPO / "checks" / "allowlist" / f"{name}.toml").read_text())
    assert all(isinstance(v, str) and v.strip() for v in entries.values()), name
    reviewed_list_sql(REPO / "checks" / "p3_postmigration", name)

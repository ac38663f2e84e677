"""PM-071: verify_final_hardening() is the reviewed function of the newest migration that
defines it, unaltered."""

import re

import pytest

from cutover.errors import ConfigError
from cutover.migrate.files import Migration, default_directory, discover

pytestmark = [pytest.mark.postmigration, pytest.mark.security]
DEFINES = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+public\.verify_final_hardening\(\)",
                     re.I)
BODY = re.compile(r"verify_final_hardening\(\).*?AS \$fn\$(.*?)\$fn\$", re.S)
SEARCH_PATH = "search_path=pg_catalog, pg_temp"


def reviewed_definition() -> Migration:
    """The last migration of the series (in the runner's order) whose text creates or
    replaces the function: a later file supersedes 025e's body, so hardcoding one file would
    either fail every migrated target or keep trusting a body the series replaced."""
    try:
        defining = [m for m in discover(default_directory()) if DEFINES.search(m.text)]
    except ConfigError as exc:
        pytest.fail(f"migrations unreadable: {exc}", pytrace=False)
    if not defining:
        pytest.fail("no migration defines public.verify_final_hardening()", pytrace=False)
    return defining[-1]


@pytest.mark.check(id="PM-071", severity="blocker", runbook="§3.4",
                   remediation="Restore the function from the newest migration that defines it "
                               "(the message names the file: its body, SET search_path, owner) "
                               "and find out who changed it (an always-PASS verifier hides "
                               "everything).")
def test_pm071_verify_function_is_the_reviewed_one(catalog, evidence):
    """Its body, security, search_path and owner are those the migration gave it."""
    migration = reviewed_definition()
    source = migration.path.name
    expected = BODY.search(migration.text)
    row = next(iter(catalog.rows("pm071_verify_function.sql",
                                 {"version": migration.version})), None)
    assert expected, f"{source} has no verify_final_hardening() body"
    assert row, "public.verify_final_hardening() does not exist"
    body, definer, owner, config, applied_by, appliers = row
    evidence.data.update(reviewed_in=source, owner=owner, security_definer=definer,
                         config=config, applied_by=applied_by)
    assert body == expected.group(1), f"public.verify_final_hardening() differs from {source}"
    assert not definer, "public.verify_final_hardening() is SECURITY DEFINER"
    assert SEARCH_PATH in (config or []), (
        f"public.verify_final_hardening() runs with {config or 'the caller search_path'}, "
        f"not {SEARCH_PATH} (a caller's schema could shadow what it calls)")
    assert applied_by is None or appliers, (
        f"public.verify_final_hardening() is owned by {owner}, not by {applied_by} who applied "
        f"{source} or a role it acts as (its owner can replace it)")

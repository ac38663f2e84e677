"""What differs between PostgreSQL majors, judged on the major the session cluster runs.

The session cluster runs on SOLVEREIGN_PG_BIN when set (tests/conftest.py); `python3 dev.py
matrix` runs this file on every major it can get (14..18). Each test states the major it
applies to and skips elsewhere with the reason:

- 14: the hardening series cannot be applied (025e makes security_invoker views, PG15+),
  so PF-001 refuses the server before the window, and a fresh database gives PUBLIC CREATE
  on schema public (15 took it away), which PM-032 names.
- 16: a membership carries INHERIT and SET options; one WITH INHERIT FALSE, SET TRUE hands
  no privileges but still lets the member SET ROLE, so the membership checks must judge
  membership itself (pg_has_role MEMBER, the pg_auth_members walk), never only USAGE; and
  PF-013 must see that 025g's hand-over needs SET.
- 17: the MAINTAIN privilege and the pg_maintain role (LOCK, VACUUM FULL, CLUSTER, REINDEX
  on every tenant's rows).
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from checks.p1_preflight.test_pf001_server_version import SUPPORTED_MAJORS
from fixtures.db import Catalog
from tests.platform import run_gate, statuses
from tests.security.test_kill_matrix import FN, Case, assert_exactly_its_checks

REPO = Path(__file__).resolve().parents[2]
POSTMIGRATION = REPO / "checks" / "p3_postmigration"
HARDENING_SINCE = 15  # 025e: CREATE VIEW ... WITH (security_invoker = true)


@pytest.fixture(scope="session")
def major(admin_url: str) -> int:
    """The session cluster's major version."""
    with psycopg.connect(admin_url) as conn:
        return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


def _since(major: int, first: int, what: str) -> None:
    """Skip, saying why, on a major older than `first`."""
    if major < first:
        pytest.skip(f"PostgreSQL {major}: {what} exists from PostgreSQL {first} on")


def _migrated(major: int) -> None:
    """The migrated database exists only where the hardening series applies."""
    if major < HARDENING_SINCE:
        pytest.skip(f"PostgreSQL {major}: the hardening series (025e: security_invoker "
                    f"views) needs PostgreSQL {HARDENING_SINCE}+, and PF-001 refuses this major")


# -- every major --------------------------------------------------------------------------


def test_pf001_judges_this_major(make_platform, major: int):
    """PF-001 passes a supported major and refuses another before the window, naming it."""
    db = make_platform("pre")
    _, result = run_gate(db, "checks/p1_preflight/test_pf001_server_version.py",
                         marker="preflight")
    check = next(c for c in result["checks"] if c["check_id"] == "PF-001")
    if major in SUPPORTED_MAJORS:
        assert check["status"] == "PASS", check
    else:
        assert check["status"] == "FAIL", check
        assert f"server version {major}." in check["message"], check["message"]


def test_public_schema_default_acl_is_named_by_pm032(make_db, major: int):
    """A database fresh from this server: PUBLIC holds CREATE on schema public up to 14 and
    only USAGE from 15; PM-032 names exactly what PUBLIC holds, CREATE included on 14."""
    url = make_db()
    want = ["CREATE", "USAGE"] if major <= 14 else ["USAGE"]
    with psycopg.connect(url) as conn:
        held = sorted(r[0] for r in conn.execute(
            "SELECT a.privilege_type FROM pg_namespace n, aclexplode(n.nspacl) a"
            " WHERE n.nspname = 'public' AND a.grantee = 0"))
        rows = conn.execute(  # type: ignore[call-overload]  # repository SQL
            Catalog(conn, POSTMIGRATION, None).sql(  # type: ignore[arg-type]
                "pm032_public_schema_privileges.sql")).fetchall()
    assert held == want, f"PostgreSQL {major}: PUBLIC holds {held} on schema public"
    assert ("public", "PUBLIC has " + ", ".join(want)) in rows, rows


def test_hardening_series_stops_on_14_naming_the_feature(admin_url, platform_roles, major):
    """On 14 the series stops at 025e with one line naming the missing feature, and
    nothing of the failing file is applied (why 14 is unsupported, not a silent gap)."""
    if major >= HARDENING_SINCE:
        pytest.skip(f"PostgreSQL {major}: the hardening series applies")
    from cutover.errors import MigrationError
    from sandbox.manage import provision
    from tests.pg import unique_name

    name = unique_name("v14")
    try:
        with pytest.raises(MigrationError, match=r"025e_final_hardening\.sql.*security_invoker"):
            provision(admin_url, name, "latest", passwords=platform_roles, hmac_secret="x" * 48)
    finally:
        from cutover.pg.providers import drop_database

        drop_database(admin_url, name)


# -- 16: membership options -----------------------------------------------------------------


SET_ONLY_OWNER = Case(
    "api role may SET ROLE to the owner role without inheriting it (INHERIT FALSE, SET TRUE)",
    ["GRANT solvereign_owner TO solvereign_api WITH INHERIT FALSE, SET TRUE"],
    {"PM-023": "member of solvereign_owner",
     "PM-024": "member of solvereign_owner via solvereign_api -> solvereign_owner",
     FN: "app_roles_own_nothing"},
    {"PM-011", "PM-012", "PM-021", "PM-043", "PM-051", "PM-080", "PM-081"},
    ["REVOKE solvereign_owner FROM solvereign_api"])

SET_ONLY_BACKUP = Case(
    "api role may SET ROLE to the BYPASSRLS backup role (INHERIT FALSE, SET TRUE)",
    ["GRANT solvereign_backup TO solvereign_api WITH INHERIT FALSE, SET TRUE"],
    {"PM-020": "BYPASSRLS through SET ROLE solvereign_backup",
     "PM-022": "BYPASSRLS through membership in solvereign_backup",
     "PM-024": "member of solvereign_backup via solvereign_api -> solvereign_backup "
               "(BYPASSRLS through SET ROLE)"},
    {"PM-011", "PM-051", "PM-070", "PM-080", "PM-081"},
    ["REVOKE solvereign_backup FROM solvereign_api"])


@pytest.mark.parametrize("case", [SET_ONLY_OWNER, SET_ONLY_BACKUP], ids=lambda c: c.name)
def test_set_only_membership_is_caught(make_platform, major: int, case: Case):
    """A membership that hands no privileges but allows SET ROLE is still a membership."""
    _since(major, 16, "GRANT ... WITH INHERIT/SET (membership options)")
    assert_exactly_its_checks(make_platform, case)


def test_pf013_needs_set_on_the_reporting_role(make_platform, admin_url, major: int):
    """025g hands the view to solvereign_reporting as the owner: from 16 on that needs the
    SET option, which a USAGE test alone would not see."""
    _since(major, 16, "the SET option of a membership")
    db = make_platform("pre")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("GRANT solvereign_reporting TO solvereign_owner WITH SET FALSE")
        try:
            _, result = run_gate(db, "checks/p1_preflight/test_pf013_release_roles.py",
                                 marker="preflight")
        finally:
            conn.execute("GRANT solvereign_reporting TO solvereign_owner WITH SET TRUE")
    check = next(c for c in result["checks"] if c["check_id"] == "PF-013")
    assert check["status"] == "FAIL", check
    assert "solvereign_reporting (solvereign_owner cannot SET ROLE to it" in check["message"]
    _, again = run_gate(db, "checks/p1_preflight/test_pf013_release_roles.py",
                        marker="preflight")
    assert statuses(again)["PF-013"] == "PASS", again


# -- 17: MAINTAIN and pg_maintain ------------------------------------------------------------


MAINTAIN_GRANT = Case(
    "MAINTAIN on a tenant table for the api role",
    ["GRANT MAINTAIN ON roster.drivers TO solvereign_api"],
    {"PM-034": "roster.drivers (MAINTAIN)",
     "PM-025": "solvereign_api: table roster.drivers (MAINTAIN direct)"})

PG_MAINTAIN = Case(
    "api role granted pg_maintain",
    ["GRANT pg_maintain TO solvereign_api"],
    {"PM-024": "member of pg_maintain via solvereign_api -> pg_maintain (predefined role)",
     "PM-025": "MAINTAIN via role solvereign_api -> pg_maintain",
     "PM-034": "roster.drivers (MAINTAIN)",
     FN: "runtime_roles_no_memberships"},
    {"PM-080", "PM-081"},
    ["REVOKE pg_maintain FROM solvereign_api"])


@pytest.mark.parametrize("case", [MAINTAIN_GRANT, PG_MAINTAIN], ids=lambda c: c.name)
def test_maintain_is_caught(make_platform, major: int, case: Case):
    """MAINTAIN ignores RLS and locks every tenant out: granted or through pg_maintain."""
    _since(major, 17, "the MAINTAIN privilege and the pg_maintain role")
    _migrated(major)
    assert_exactly_its_checks(make_platform, case)

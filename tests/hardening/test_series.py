"""The hardening series 025..025h: the file contract, applying with the runner and with psql,
re-applying, lock-friendliness (no table rewritten) and the application working after every
single file."""

from __future__ import annotations

import re

import psycopg
import pytest

from cutover.errors import MigrationError
from cutover.migrate.runner import RunnerOptions, migrate
from sandbox.bootstrap import create_platform_database
from tests.pg import unique_name

from .helpers import (
    HARDENING,
    MIGRATIONS,
    OTHER,
    PILOT,
    SUSPENDED,
    apply_by_hand,
    changes,
    failing,
    hardening_file,
    header,
    psql,
    snapshot,
    verify_rows,
)

VERIFIER = "function public.verify_final_hardening() "
WEAKNESS_ROW = re.compile(r"^\| (W\d\d) \|.*\| (025[a-f]?) \|\s*$")


def _registry() -> dict[str, str]:
    """Weakness id -> the hardening file that fixes it, from the baseline's WEAKNESSES.md."""
    rows = {}
    for line in (MIGRATIONS / "WEAKNESSES.md").read_text().splitlines():
        if match := WEAKNESS_ROW.match(line):
            rows[match.group(1)] = match.group(2)
    return rows


@pytest.mark.parametrize("version", HARDENING)
def test_file_contract(version: str) -> None:
    """A header naming what it fixes; no transaction control, no psql meta-commands (the
    runner and `psql --single-transaction` own the transaction)."""
    text = hardening_file(version).read_text()
    assert re.search(r"\bW\d\d\b", header(version)), f"{version}: header names no weakness"
    assert re.search(r"safe to re-run|idempotent", header(version), re.I), \
        f"{version}: no re-run note"
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    assert not re.search(r"^\s*(BEGIN|COMMIT|ROLLBACK|START TRANSACTION)\s*;", code,
                         re.I | re.M), version
    assert not re.search(r"^\s*\\", code, re.M), f"{version}: psql meta-command"


def test_every_weakness_is_named_by_its_fixing_file() -> None:
    registry = _registry()
    assert len(registry) == 22
    for wid, version in registry.items():
        assert re.search(rf"\b{wid}\b", header(version)), f"{wid} not in the header of {version}"


def test_series_applies_and_a_rerun_changes_nothing(make_platform) -> None:
    """pre + 025..025f as the migrator: every row PASSes; the runner's re-run is a no-op."""
    db = make_platform("pre")
    url = db.url("solvereign_migrator")
    applied = migrate(url, MIGRATIONS, RunnerOptions())
    assert [a.name.split("_")[0] for a in applied] == list(HARDENING)
    before = snapshot(db.url("postgres"))
    assert migrate(url, MIGRATIONS, RunnerOptions()) == []
    assert changes(before, snapshot(db.url("postgres"))) == []
    with psycopg.connect(url) as conn:
        assert failing(verify_rows(conn)) == {}


def test_each_file_reapplied_by_hand_changes_nothing(make_platform) -> None:
    """Every file, run again outside the runner on the finished database, succeeds and
    leaves the catalog exactly as it was: idempotent, and no file undoes a later one. The one
    exception is the verifier: 025e's body stands again until 025h, which supersedes it, is
    re-applied too (only that function may differ in between)."""
    db = make_platform("latest")
    expected = snapshot(db.url("postgres"))
    changed = {}
    redefined_later = set(HARDENING[HARDENING.index("025e"):HARDENING.index("025h")])
    for version in HARDENING:
        apply_by_hand(db.url("solvereign_migrator"), hardening_file(version))
        diff = changes(expected, snapshot(db.url("postgres")))
        if version in redefined_later:
            diff = [d for d in diff if not d[2:].startswith(VERIFIER)]
        if diff:
            changed[version] = diff
    assert changed == {}
    assert changes(expected, snapshot(db.url("postgres"))) == []


def test_no_file_rewrites_a_table(make_platform) -> None:
    """Lock-friendly: every table keeps its data file through the series (no rewrite under
    ACCESS EXCLUSIVE); what changes is catalog state and, for routing.vehicles, its keys."""
    db = make_platform("pre")
    query = ("SELECT c.oid::regclass::text, c.relfilenode FROM pg_class c"
             " JOIN pg_namespace n ON n.oid = c.relnamespace"
             " WHERE c.relkind IN ('r', 'm') AND n.nspname IN ('core', 'roster', 'routing')"
             " ORDER BY 1")
    with psycopg.connect(db.url("postgres")) as conn:
        before = conn.execute(query).fetchall()
    migrate(db.url("solvereign_migrator"), MIGRATIONS, RunnerOptions())
    with psycopg.connect(db.url("postgres")) as conn:
        after = conn.execute(query).fetchall()
    assert len(before) > 15 and after == before


def test_empty_database_migrates_from_001_to_025f(admin_url, platform_roles, make_db) -> None:
    """The whole chain on an empty database owned by solvereign_owner, as the migrator."""
    from cutover.pg.url import role_url, with_database

    name = unique_name("hard_empty")
    create_platform_database(admin_url, name)
    make_db.created.append(name)  # dropped at teardown
    url = role_url(admin_url, "solvereign_migrator", platform_roles["solvereign_migrator"], name)
    migrate(url, MIGRATIONS, RunnerOptions())
    with psycopg.connect(with_database(admin_url, name)) as conn:
        assert failing(verify_rows(conn)) == {}


def test_files_apply_with_psql_single_transaction(make_platform) -> None:
    """The files also work as `psql -X -v ON_ERROR_STOP=1 --single-transaction -f`."""
    db = make_platform("pre")
    for version in HARDENING:
        proc = psql(db.url("solvereign_migrator"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    "--single-transaction", "-f", str(hardening_file(version)))
        assert proc.returncode == 0, (version, proc.stderr)
    with psycopg.connect(db.url("solvereign_migrator")) as conn:
        assert failing(verify_rows(conn)) == {}


def test_025_refuses_a_route_on_another_tenants_vehicle(make_platform) -> None:
    """The composite foreign key is validated against every row, FORCE notwithstanding: a
    cross-tenant reference stops 025, and nothing of it is applied."""
    db = make_platform("pre")
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute(
            "UPDATE routing.routes SET vehicle_id = (SELECT min(id) FROM routing.vehicles"
            " WHERE tenant_id = %s) WHERE id = (SELECT min(id) FROM routing.routes"
            " WHERE tenant_id = %s)", (OTHER, PILOT))
    with pytest.raises(MigrationError, match="025_tenants_rls_fix"):
        migrate(db.url("solvereign_migrator"), MIGRATIONS, RunnerOptions(target="025"))
    with psycopg.connect(db.url("postgres")) as conn:
        pkey = conn.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                            " WHERE conrelid = 'routing.vehicles'::regclass AND contype = 'p'"
                            ).fetchone()
        rls = conn.execute("SELECT relrowsecurity FROM pg_class"
                           " WHERE oid = 'core.tenants'::regclass").fetchone()
    assert pkey == ("PRIMARY KEY (id)",) and rls == (False,)


def _live_digest(admin_url: str, tenant: str) -> str:
    """The stored digest of one live API key of `tenant` (what the API would compute)."""
    with psycopg.connect(admin_url) as conn:
        row = conn.execute("SELECT key_digest FROM core.api_keys WHERE tenant_id = %s"
                           " AND revoked_at IS NULL ORDER BY id LIMIT 1", (tenant,)).fetchone()
    assert row, tenant
    return row[0]


@pytest.mark.parametrize("target", HARDENING)
def test_application_works_after_every_file(make_platform, target: str) -> None:
    """A window that stops after any file leaves authentication, tenant reads and writes,
    security logging and the platform's cross-tenant reads working."""
    db = make_platform("pre")
    admin = db.url("postgres")
    active, suspended = _live_digest(admin, PILOT), _live_digest(admin, SUSPENDED)
    migrate(db.url("solvereign_migrator"), MIGRATIONS, RunnerOptions(target=target))
    with psycopg.connect(db.url("solvereign_api")) as conn:
        resolve = "SELECT tenant_id FROM core.resolve_api_key(%s)"
        assert conn.execute(resolve, (active,)).fetchall() == [(PILOT,)]
        if target >= "025a":  # W14 fixed: a suspended tenant's key no longer authenticates
            assert conn.execute(resolve, (suspended,)).fetchall() == []
        conn.execute("SELECT core.log_security_event('PROBE_EVENT', 'INFO', %s)", (PILOT,))
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (PILOT,))
        drivers = conn.execute("SELECT DISTINCT tenant_id FROM roster.drivers").fetchall()
        assert drivers == [(PILOT,)]
        conn.execute("UPDATE roster.drivers SET display_name = display_name"
                     " WHERE code = 'DRV001'")
        conn.execute("SELECT * FROM roster.tenant_week_summary('2026-01-12')").fetchall()
        conn.rollback()
    with psycopg.connect(db.url("solvereign_platform")) as conn:
        for table in ("core.tenants", "roster.drivers", "routing.route_stops"):
            column = "id" if table == "core.tenants" else "tenant_id"
            seen = conn.execute(f"SELECT count(DISTINCT {column}) FROM {table}").fetchone()[0]
            assert seen >= 4, (target, table, seen)

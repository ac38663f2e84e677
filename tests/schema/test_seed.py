"""The seed generator: determinism, plausibility of the roster week, loading."""

from __future__ import annotations

import os
import subprocess
from collections import defaultdict
from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from sandbox.seed import (
    PILOT_TENANT,
    TABLES,
    SeedScale,
    api_key_digest,
    canonical_json,
    generate,
    load,
    seed_bytes,
    sha256_hex,
)

from .conftest import PgCluster

TENANT_TABLES = [spec.name for spec in TABLES if spec.tenant_column == "tenant_id"]
PARTITIONS = ["core.audit_log_2025", "core.audit_log_2026", "core.audit_log_default"]


@pytest.fixture(scope="module")
def pilot(seed_secret: bytes):
    return generate(94, hmac_secret=seed_secret)


def _minutes(start: str, end: str) -> int:
    delta = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    return int(delta.total_seconds() // 60)


def test_same_seed_same_bytes_different_seed_different_bytes(seed_secret: bytes) -> None:
    first = seed_bytes(94, hmac_secret=seed_secret)
    assert seed_bytes(94, hmac_secret=seed_secret) == first
    assert seed_bytes(95, hmac_secret=seed_secret) != first
    assert seed_bytes(94, SeedScale(tenants=4), hmac_secret=seed_secret) != first


def test_secret_changes_only_secret_material(seed_secret: bytes, pilot) -> None:
    other = generate(94, hmac_secret=b"another secret of 32 bytes......")
    changed = {name for name in pilot.tables if pilot.tables[name] != other.tables[name]}
    assert changed == {"core.api_keys", "core.users"}
    assert pilot.tables["roster.shifts"] == other.tables["roster.shifts"]


def test_no_clear_secret_leaves_memory(seed_secret: bytes, pilot) -> None:
    blob = pilot.canonical_bytes()
    text = repr(pilot) + repr(pilot.api_keys)
    secrets_ = [k.key for k in pilot.api_keys] + list(pilot.user_passwords.values())
    assert len(secrets_) == 2 * 4 + 2
    for secret in secrets_:
        assert secret.encode() not in blob
        assert secret not in text
    digests = {row[4] for row in pilot.tables["core.api_keys"]}
    assert {api_key_digest(seed_secret, k.key) for k in pilot.api_keys} == digests
    with pytest.raises(ValueError):
        generate(94, hmac_secret=b"short")


def test_tenants_and_pilot_shape(pilot) -> None:
    assert pilot.tables["core.tenants"][0][:3] == (PILOT_TENANT, "Wien Pilot", True)
    assert [(t[0], t[2]) for t in pilot.tables["core.tenants"]] == [
        ("wien_pilot", True), ("graz_test", True), ("linz_demo", True),
        ("salzburg_legacy", False)]
    instance = pilot.instances[PILOT_TENANT]
    assert [d["id"] for d in instance["drivers"]] == [f"DRV{i:03d}" for i in range(1, 51)]
    assert {d["site"] for d in instance["drivers"]} == {"W10", "W20", "W30"}
    assert {q for d in instance["drivers"] for q in d["qualifications"]} == {"C", "CE"}
    assert instance["week_start"] == "2026-01-12"
    assert instance["timezone"] == "Europe/Vienna"
    assert len(instance["shifts"]) == 200
    assert instance["shifts"][0]["id"] == "T0001"
    # the drill's absent drivers are otherwise fully available
    blocked = {a["driver"] for a in instance["absences"]}
    blocked |= {d["id"] for d in instance["drivers"] if d["unavailable"]}
    assert not blocked & {"DRV001", "DRV002", "DRV003"}
    assert instance["absences"] and blocked and instance["history"]


def test_shifts_are_plausible(pilot) -> None:
    """Durations 6-10 h, 45-minute breaks inside the duty, no work stretch over 270 min
    between them, drive_minutes within duty minus breaks, all in the week (UTC+01:00)."""
    for instance in pilot.instances.values():
        for shift in instance["shifts"]:
            duty = _minutes(shift["start"], shift["end"])
            assert 360 <= duty <= 600, shift
            assert shift["start"].endswith("+01:00")
            assert "2026-01-12" <= shift["start"][:10] <= "2026-01-18"
            edges = [shift["start"]]
            pause = 0
            for brk in shift["breaks"]:
                assert shift["start"] < brk["start"] < brk["end"] < shift["end"]
                assert _minutes(brk["start"], brk["end"]) == 45
                pause += 45
                edges += [brk["start"], brk["end"]]
            edges.append(shift["end"])
            assert pause >= (45 if duty > 360 else 0)
            stretches = [_minutes(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True)]
            assert max(stretches) <= 270, shift
            assert 0 < shift["drive_minutes"] <= duty - pause


def test_seed_plan_respects_basic_rules(pilot) -> None:
    """The seeded published plan: one driver per shift, site and licence match, no overlap,
    rest >= 660 min, at most 5 duties, nothing during absence or unavailability."""
    instance = pilot.instances[PILOT_TENANT]
    drivers = {d["id"]: d for d in instance["drivers"]}
    shifts = {s["id"]: s for s in instance["shifts"]}
    shift_code = {row[0]: row[2] for row in pilot.rows_for("roster.shifts", PILOT_TENANT)}
    driver_code = {row[0]: row[2] for row in pilot.rows_for("roster.drivers", PILOT_TENANT)}
    assignments = pilot.rows_for("roster.assignments", PILOT_TENANT)
    assert len(assignments) >= 0.95 * len(shifts)
    assert len({row[3] for row in assignments}) == len(assignments)
    duties = defaultdict(list)
    for row in assignments:
        shift, driver = shifts[shift_code[row[3]]], drivers[driver_code[row[4]]]
        assert shift["site"] == driver["site"]
        assert shift["qualification"] in driver["qualifications"]
        blocks = driver["unavailable"] + [a for a in instance["absences"]
                                          if a["driver"] == driver["id"]]
        start = datetime.fromisoformat(shift["start"])
        end = datetime.fromisoformat(shift["end"])
        for block in blocks:
            assert not (datetime.fromisoformat(block["start"]) < end
                        and start < datetime.fromisoformat(block["end"]))
        duties[driver["id"]].append((start, end))
    for spans in duties.values():
        spans.sort()
        assert len(spans) <= 5
        for (_, end), (start, _) in pairwise(spans):
            assert start - end >= timedelta(minutes=660)
    per_driver = len(assignments) / len(drivers)
    assert 3.5 <= per_driver <= 4.0
    plan = pilot.rows_for("roster.plans", PILOT_TENANT)[0]
    assert plan[5] == sha256_hex(canonical_json({
        "tenant": PILOT_TENANT,
        "instance_sha256": sha256_hex(canonical_json(instance)),
        "seed": 94,
        "assignments": sorted(({"shift": shift_code[r[3]], "driver": driver_code[r[4]]}
                               for r in assignments), key=lambda a: a["shift"]),
        "uncovered": sorted(set(shifts) - {shift_code[r[3]] for r in assignments}),
    }))


def test_scale_knob(seed_secret: bytes, pilot) -> None:
    scale = SeedScale(tenants=5, drivers_per_tenant=12, shifts_per_tenant=30, rows_multiplier=2)
    data = generate(7, scale, hmac_secret=seed_secret)
    assert data.tenant_ids == ("wien_pilot", "graz_test", "linz_demo", "bench_0004",
                               "bench_0005", "salzburg_legacy")
    assert len(data.rows_for("roster.drivers", "bench_0005")) == 24
    assert len(data.rows_for("roster.shifts", "bench_0005")) == 60
    # the pilot tenant does not depend on how many other tenants there are
    bigger = generate(94, SeedScale(tenants=6), hmac_secret=seed_secret)
    assert bigger.rows_for("roster.shifts", PILOT_TENANT) == pilot.rows_for(
        "roster.shifts", PILOT_TENANT)
    for bad in ({"tenants": 2}, {"drivers_per_tenant": 5}, {"shifts_per_tenant": 0},
                {"rows_multiplier": 0}):
        with pytest.raises(ValueError):
            SeedScale(**bad)


def _counts(schema_cluster: PgCluster, db: str) -> dict[str, tuple[int, int]]:
    """table -> (rows, distinct tenants), read as the superuser."""
    result = {}
    with schema_cluster.connect(dbname=db) as conn:
        for table in [*TENANT_TABLES, *PARTITIONS]:
            result[table] = conn.execute(
                f"SELECT count(*), count(DISTINCT tenant_id) FROM {table}").fetchone()
        for table in ("core.tenants", "core.users", "core.security_events"):
            result[table] = (conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0], 0)
    return result


def _assert_loaded(schema_cluster: PgCluster, db: str, data) -> None:
    counts = _counts(schema_cluster, db)
    for spec in TABLES:
        assert counts[spec.name][0] == len(data.tables[spec.name]), spec.name
    for table in [*TENANT_TABLES, *PARTITIONS]:
        assert counts[table][1] >= 3, f"{table} has rows of {counts[table][1]} tenants"
    with schema_cluster.connect(dbname=db) as conn:
        assert conn.execute("SELECT count(DISTINCT tenant_id) FROM routing.mv_route_daily"
                            ).fetchone()[0] == 4
        # sequences were moved past the loaded ids: a plain insert does not collide
        conn.execute("INSERT INTO roster.plans (tenant_id, week_start, seed)"
                     " VALUES ('graz_test', '2026-01-19', 1)")


def test_load_as_superuser(schema_cluster: PgCluster, fresh_db: str, pilot) -> None:
    """The sandbox path: plain COPY everywhere."""
    with schema_cluster.connect(dbname=fresh_db) as conn:
        counts = load(conn, pilot)
    # no timed assertion: a busy CI machine is not a bug (bench/ measures speed)
    assert counts == {spec.name: len(pilot.tables[spec.name]) for spec in TABLES}
    _assert_loaded(schema_cluster, fresh_db, pilot)


def test_load_as_owner_through_policies(schema_cluster: PgCluster, fresh_db: str, pilot) -> None:
    """The migrator after SET ROLE solvereign_owner: FORCE'd tables go through staging and
    INSERT under each tenant's context."""
    with schema_cluster.connect("solvereign_migrator", fresh_db) as conn:
        conn.execute("SET ROLE solvereign_owner")
        load(conn, pilot)
    _assert_loaded(schema_cluster, fresh_db, pilot)


def test_api_key_resolves_after_load(schema_cluster: PgCluster, fresh_db: str, seed_secret: bytes,
                                     pilot) -> None:
    with schema_cluster.connect(dbname=fresh_db) as conn:
        load(conn, pilot)
    key = pilot.api_key(PILOT_TENANT)
    revoked = next(k.key for k in pilot.api_keys if k.tenant == PILOT_TENANT and k.revoked)
    with schema_cluster.connect("solvereign_api", fresh_db) as conn:
        resolve = "SELECT tenant_id, scopes FROM core.resolve_api_key(%s)"
        found = conn.execute(resolve, (api_key_digest(seed_secret, key),)).fetchall()
        gone = conn.execute(resolve, (api_key_digest(seed_secret, revoked),)).fetchall()
    assert found == [(PILOT_TENANT, ["roster:read", "roster:write", "routing:read"])]
    assert gone == []


def test_backup_role_can_dump(schema_cluster: PgCluster, fresh_db: str, pilot,
                              tmp_path_factory: pytest.TempPathFactory) -> None:
    """pg_dump as solvereign_backup reads every RLS table of a seeded database."""
    with schema_cluster.connect(dbname=fresh_db) as conn:
        load(conn, pilot)
    out = tmp_path_factory.mktemp("dump") / "seed.dump"
    env = {**os.environ, "PGPASSWORD": schema_cluster.passwords["solvereign_backup"]}
    proc = subprocess.run(
        [str(schema_cluster.bin_dir / "pg_dump"), "--format=custom", "--lock-wait-timeout=10s",
         "-h", "127.0.0.1", "-p", str(schema_cluster.port), "-U", "solvereign_backup",
         "-d", fresh_db, "-f", str(out)],
        env=env, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 10_000


def test_seed_plan_passes_the_project_oracle(pilot) -> None:
    """Cross-check with the independent rule oracle (docs/roster.md)."""
    from cutover.roster import parse, rules

    for tenant in pilot.tenant_ids:
        shift_code = {row[0]: row[2] for row in pilot.rows_for("roster.shifts", tenant)}
        driver_code = {row[0]: row[2] for row in pilot.rows_for("roster.drivers", tenant)}
        plan_row = pilot.rows_for("roster.plans", tenant)[0]
        assignments = [{"shift": shift_code[r[3]], "driver": driver_code[r[4]]}
                       for r in pilot.rows_for("roster.assignments", tenant)]
        covered = {a["shift"] for a in assignments}
        plan = {"tenant": tenant, "instance_sha256": plan_row[6], "seed": plan_row[3],
                "assignments": assignments,
                "uncovered": sorted(set(shift_code.values()) - covered)}
        instance = parse.parse_instance(pilot.instances[tenant])
        violations = rules.check_plan(instance, parse.parse_plan(plan, instance))
        assert violations == [], f"{tenant}: {violations[:3]}"

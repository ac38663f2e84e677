"""The 16 recorded weeks of duty history R14 needs, from the seeded platform: the export
(cutover/roster/export.sql) and the sandbox API's instance route give the seed's instance,
count only the weeks really recorded (per driver, never padded), and find the history
through its index."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

from cutover.roster.export import HISTORY_WEEKS, export_instance
from cutover.roster.parse import parse_instance, parse_plan
from cutover.roster.rules import MISSING, Limits, check_plan, not_judged
from sandbox import seed
from sandbox.api import instance as api_instance
from sandbox.state import DEFAULT_SEED

REPO = Path(__file__).resolve().parents[2]
WEEK = date(2026, 1, 12)
TENANT = "wien_pilot"


def _api_build(db, tenant: str) -> dict[str, Any]:
    """The instance route's document, built as the route builds it (api role, tenant set)."""
    async def run() -> dict[str, Any]:
        conn = await psycopg.AsyncConnection.connect(db.url("solvereign_api"))
        async with conn, conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', %s, true)", (tenant,))
            return await api_instance.build(conn, tenant, WEEK)
    return asyncio.run(run())


def _forget_history(db, driver: str, before: str) -> None:
    """Delete a driver's recorded duties before a date (as if recording began later)."""
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute("DELETE FROM roster.duty_history h USING roster.drivers d"
                     " WHERE d.tenant_id = h.tenant_id AND d.id = h.driver_id"
                     " AND h.tenant_id = %s AND d.code = %s AND h.starts_at < %s",
                     (TENANT, driver, before))


def test_export_and_api_give_the_seeded_16_weeks(make_platform):
    db = make_platform("latest")
    expected = seed.generate(DEFAULT_SEED, hmac_secret=db.hmac_secret.encode()).instances[TENANT]
    exported = export_instance(db.url(), TENANT, WEEK)
    assert exported == expected
    assert _api_build(db, TENANT) == expected
    assert exported["history_weeks"] == HISTORY_WEEKS == 16
    assert {d["history_weeks"] for d in exported["drivers"]} == {16}
    assert min(h["start"] for h in exported["history"]) >= "2025-09-22"
    inst = parse_instance(exported)
    plan = {"tenant": TENANT, "instance_sha256": "-", "seed": 94,
            "assignments": [{"shift": s["id"], "driver": "DRV004"}
                            for s in exported["shifts"][:1]], "uncovered": []}
    parsed = parse_plan({**plan, "uncovered": [s["id"] for s in exported["shifts"][1:]]}, inst)
    assert not [v for v in check_plan(inst, parsed) if v.rule == "R14"]
    assert not_judged(inst, parsed, Limits(average_requires_history=False)) == {}


def test_only_recorded_weeks_count_per_driver(make_platform):
    db = make_platform("latest")
    _forget_history(db, "DRV004", "2025-12-15")  # recorded from the week of 2025-12-15: 4
    _forget_history(db, "DRV005", "2026-01-12")  # nothing recorded: 0
    exported = export_instance(db.url(), TENANT, WEEK)
    weeks = {d["id"]: d["history_weeks"] for d in exported["drivers"]}
    assert weeks["DRV004"] == 4 and weeks["DRV005"] == 0 and weeks["DRV006"] == 16
    assert exported["history_weeks"] == 16  # the most any driver records
    assert not [h for h in exported["history"] if h["driver"] == "DRV005"]
    assert _api_build(db, TENANT) == exported
    # R14 fails closed for the short drivers alone; the opt-out lists it as not judged
    inst = parse_instance(exported)
    shifts = [s["id"] for s in exported["shifts"] if s["site"] == "W10"][:3]
    doc = {"tenant": TENANT, "instance_sha256": "-", "seed": 94,
           "assignments": [{"shift": s, "driver": d}
                           for s, d in zip(shifts, ("DRV004", "DRV005", "DRV007"), strict=True)],
           "uncovered": [s["id"] for s in exported["shifts"] if s["id"] not in shifts]}
    plan = parse_plan(doc, inst)
    r14 = [(v.driver, v.reason) for v in check_plan(inst, plan) if v.rule == "R14"]
    assert r14 == [("DRV004", MISSING), ("DRV005", MISSING)]
    opt_out = Limits(average_requires_history=False)
    assert not [v for v in check_plan(inst, plan, opt_out) if v.rule == "R14"]
    assert "2 of 3 planned drivers short, first DRV004" in not_judged(inst, plan, opt_out)["R14"]


def test_a_tenant_without_history_exports_none(make_platform):
    db = make_platform("latest")
    with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
        conn.execute("DELETE FROM roster.duty_history WHERE tenant_id = %s", (TENANT,))
    exported = export_instance(db.url(), TENANT, WEEK)
    assert exported["history"] == [] and exported["history_weeks"] == 0
    assert {d["history_weeks"] for d in exported["drivers"]} == {0}
    assert _api_build(db, TENANT) == exported


def test_the_history_is_read_through_its_index(make_platform):
    db = make_platform("latest")
    from importlib import resources

    sql = resources.files("cutover.roster").joinpath("export.sql").read_text()
    with psycopg.connect(db.url()) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, false),"
                     " set_config('TimeZone', 'Europe/Vienna', false)", (TENANT,))
        conn.execute("ANALYZE roster.duty_history")
        rows = conn.execute("EXPLAIN " + sql, {"tenant": TENANT, "week_start": WEEK,
                                                "timezone": "Europe/Vienna",
                                                "history_weeks": HISTORY_WEEKS}).fetchall()
    plan = "\n".join(r[0] for r in rows)
    assert "duty_history_driver_idx" in plan, plan
    assert "Seq Scan on duty_history" not in plan, plan


def _gate(db, artifacts: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO / "scripts/ci/wien_roster_gate.sh"), "--skip-routing",
                           "--dry-run", "--db-url", db.url(), "--artifacts-dir", str(artifacts)],
                          capture_output=True, text=True, env=db.env(**env), timeout=600,
                          check=False)


def test_pm200_fails_a_plan_judged_on_padded_history_unless_the_tenant_opts_out(make_platform,
                                                                                tmp_path):
    # DRV004's record starts in the week of 2025-12-15 (4 weeks); a solver that pretends it
    # holds 16 plans DRV004 as usual: PM-200 fails on R14 (missing input) naming DRV004
    db = make_platform("latest")
    _forget_history(db, "DRV004", "2025-12-15")
    solver = f"{sys.executable} {REPO / 'tests/roster_gate/broken_solver.py'} padded_history"
    proc = _gate(db, tmp_path / "strict", SOLVEREIGN_SOLVER_COMMAND=solver)
    assert proc.returncode == 1 and "GATE STATUS: FAIL" in proc.stdout, proc.stdout[-1500:]
    doc = json.loads((tmp_path / "strict" / "roster_dry_run.json").read_text())
    r14 = [v for v in doc["violations"] if v["rule"] == "R14"]
    assert r14 and {v["driver"] for v in r14} == {"DRV004"}, doc["violations"]
    assert all(v["reason"] == MISSING and "records 4 of the 16 weeks" in v["message"]
               for v in r14)
    assert doc["violation_count"] == len(r14) and doc["average_requires_history"] is True
    statuses = {c["check_id"]: c["status"] for c in json.loads(
        (tmp_path / "strict" / "roster_gate_result.json").read_text())["checks"]}
    assert statuses["PM-200"] == "FAIL" and statuses["PM-202"] == "PASS", statuses
    # the tenant's explicit opt-out: judged where the history allows, R14 listed as not judged
    proc = _gate(db, tmp_path / "opt_out", SOLVEREIGN_SOLVER_COMMAND=solver,
                 SOLVEREIGN_ROSTER_R14_WHERE_HISTORY_ALLOWS="true")
    doc = json.loads((tmp_path / "opt_out" / "roster_dry_run.json").read_text())
    assert doc["violation_count"] == 0 and doc["average_requires_history"] is False, doc
    assert "first DRV004" in doc["figures"]["rules_not_judged"]["R14"]
    assert proc.returncode == 0 and proc.stdout.rstrip().endswith("GATE STATUS: PASS"), \
        proc.stdout[-1500:]


def test_the_sandbox_solver_plans_no_driver_whose_record_is_short(make_platform, tmp_path):
    # the real solver's last word is the oracle with each driver's own record (the view is
    # narrowed per driver): DRV004 (4 recorded weeks) is given nothing, R14 is never broken,
    # and the gate passes
    db = make_platform("latest")
    _forget_history(db, "DRV004", "2025-12-15")
    exported = export_instance(db.url(), TENANT, WEEK)
    (tmp_path / "instance.json").write_text(json.dumps(exported))
    subprocess.run([sys.executable, "-m", "sandbox.solver", "solve", "--instance",
                    str(tmp_path / "instance.json"), "--seed", "94", "--out",
                    str(tmp_path / "plan.json")], cwd=REPO, check=True, capture_output=True,
                   timeout=600)
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["assignments"] and not [a for a in plan["assignments"]
                                        if a["driver"] == "DRV004"]
    proc = _gate(db, tmp_path / "gate")
    doc = json.loads((tmp_path / "gate" / "roster_dry_run.json").read_text())
    assert doc["violation_count"] == 0, doc["violations"]
    assert proc.returncode == 0 and proc.stdout.rstrip().endswith("GATE STATUS: PASS"), \
        proc.stdout[-1500:]

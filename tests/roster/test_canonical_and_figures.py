"""Canonical hashes ignore order and producer noise; figures split coverage and count churn."""

from __future__ import annotations

import copy

import pytest

from cutover.errors import ConfigError
from cutover.roster.canonical import instance_sha256, plan_bytes, plan_sha256
from cutover.roster.parse import parse_instance, parse_plan
from cutover.roster.report import judge
from tests.roster.builders import at, driver, instance, plan, shift


def test_plan_hash_ignores_order_and_extra_keys() -> None:
    a = plan([("T2", "DRV002"), ("T1", "DRV001")], uncovered=["T4", "T3"])
    b = plan([("T1", "DRV001"), ("T2", "DRV002")], uncovered=["T3", "T4"])
    b["generated_at"] = "2026-01-12T03:00:00+01:00"
    b["assignments"][0]["note"] = "manual"
    assert plan_sha256(a) == plan_sha256(b)
    assert plan_bytes(a).startswith(b'{"assignments":[{"driver":"DRV001","shift":"T1"}')
    assert b" " not in plan_bytes(a)


def test_plan_hash_changes_with_content() -> None:
    base = plan([("T1", "DRV001")])
    assert plan_sha256(base) != plan_sha256(plan([("T1", "DRV002")]))
    assert plan_sha256(base) != plan_sha256({**base, "seed": 95})


def test_floats_are_refused() -> None:
    with pytest.raises(ConfigError, match="float"):
        plan_sha256({**plan([]), "seed": 94.0})


def test_instance_hash_ignores_entity_order() -> None:
    shifts = [shift("T1", "2026-01-12T06:00", 300), shift("T2", "2026-01-13T06:00", 300)]
    one = instance(shifts, drivers=[driver("DRV001"), driver("DRV002")])
    two = copy.deepcopy(instance(shifts[::-1], drivers=[driver("DRV002"), driver("DRV001")]))
    assert instance_sha256(one) == instance_sha256(two)
    two["shifts"][0]["drive_minutes"] += 1
    assert instance_sha256(one) != instance_sha256(two)


def test_repair_figures_against_baseline() -> None:
    shifts = [shift(f"T{i}", "2026-01-13T06:00", 480, 200, [(240, 45)], offset=1440 * (i // 3))
              for i in range(6)]
    drivers = [driver(f"DRV00{i}") for i in range(1, 5)]
    sick = {"driver": "DRV001", "start": at("2026-01-13T00:00"), "end": at("2026-01-20T00:00"),
            "reason": "sick"}
    inst = parse_instance(instance(shifts, drivers=drivers, absences=[sick]))
    baseline = parse_plan(plan([("T0", "DRV001"), ("T1", "DRV002"), ("T2", "DRV003"),
                                ("T3", "DRV001"), ("T4", "DRV002")], uncovered=["T5"]), inst)
    repaired = parse_plan(plan([("T0", "DRV004"), ("T1", "DRV003"), ("T2", "DRV002"),
                                ("T4", "DRV002")], uncovered=["T3", "T5"]), inst)
    violations, figs = judge(inst, repaired, baseline)
    assert violations == []
    assert figs["coverage_split"] == {"orphaned_by_absence": ["T3"],
                                      "already_uncovered": ["T5"], "newly_uncovered": []}
    churn = figs["churn"]
    assert (churn["changed"], churn["changed_shifts"]) == (2, ["T1", "T2"])
    assert (churn["orphaned"], churn["orphans_reassigned"]) == (2, 1)
    assert churn["drivers_touched"] == 2  # DRV002 and DRV003 swapped; DRV004 took an orphan
    assert figs["changes_within_24h"] == 3  # T0, T1, T2 start within 24 h of the sick call
    assert figs["overtime_added"] == 0
    assert figs["fairness"]["spread"] == 870  # DRV002 works 2 x 435, DRV001 nothing
    assert figs["uncovered"] == 2 and figs["covered"] == 4

"""Random small plans: the oracle never crashes and agrees with a brute-force recomputation.

The brute force takes other routes on purpose: minute sets for overlaps, `isocalendar()` of the
local start for weeks, and a pairwise scan for rests.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover.roster.parse import parse_instance, parse_plan
from cutover.roster.rules import RULES, VIOLATED, Limits, check_plan
from tests.roster.builders import VIENNA, at, driver, instance

WEEKS = ("2026-01-12", "2026-03-23", "2026-10-19")  # plain, DST start, DST end
DRIVERS = ("DRV001", "DRV002")


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    week = draw(st.sampled_from(WEEKS))
    shifts = []
    for i in range(draw(st.integers(1, 7))):
        offset = draw(st.integers(-600, 8 * 1440)) // 5 * 5
        minutes = draw(st.integers(30, 800))
        breaks: list[tuple[int, int]] = []
        cursor = 0
        for _ in range(draw(st.integers(0, 2))):
            start = cursor + draw(st.integers(1, 200))
            length = draw(st.integers(5, 50))
            if start + length < minutes:
                breaks.append((start, length))
                cursor = start + length
        room = minutes - sum(n for _, n in breaks)
        doc = {"id": f"T{i}", "site": "W10", "qualification": "C",
               "start": at(f"{week}T00:00", offset), "end": at(f"{week}T00:00", offset + minutes),
               "drive_minutes": draw(st.integers(0, room)),
               "breaks": [{"start": at(f"{week}T00:00", offset + b),
                           "end": at(f"{week}T00:00", offset + b + n)} for b, n in breaks]}
        shifts.append(doc)
    inst = instance(shifts, drivers=[driver(d) for d in DRIVERS], week_start=week)
    assignments = []
    uncovered = []
    for s in shifts:
        who = draw(st.sampled_from([*DRIVERS, None]))
        if who is None:
            uncovered.append(s["id"])
        else:
            assignments.append({"shift": s["id"], "driver": who})
    pl = {"tenant": "wien_pilot", "instance_sha256": "x", "seed": 1,
          "assignments": assignments, "uncovered": uncovered}
    return inst, pl


def _minute(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp()) // 60


def _by_driver(inst: dict[str, Any], pl: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    shifts = {s["id"]: s for s in inst["shifts"]}
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in pl["assignments"]:
        out[a["driver"]].append(shifts[a["shift"]])
    return out


def brute_overlaps(inst: dict[str, Any], pl: dict[str, Any]) -> set[tuple[str, tuple[str, ...]]]:
    found = set()
    for d, shifts in _by_driver(inst, pl).items():
        for a, b in itertools.combinations(shifts, 2):
            ma = set(range(_minute(a["start"]), _minute(a["end"])))
            if ma & set(range(_minute(b["start"]), _minute(b["end"]))):
                found.add((d, tuple(sorted((a["id"], b["id"])))))
    return found


def brute_weekly(inst: dict[str, Any], pl: dict[str, Any], value: str,
                 limit: int) -> set[tuple[str, tuple[str, ...], int]]:
    """Driving per week of the shift's start; working time minute by minute, each minute in
    its own local week (R7 splits at Monday 00:00 local)."""
    found = set()
    for d, shifts in _by_driver(inst, pl).items():
        weeks: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
        totals: dict[tuple[int, int], int] = defaultdict(int)
        for s in shifts:
            if value == "drive":
                local = datetime.fromisoformat(s["start"]).astimezone(VIENNA)
                weeks[local.isocalendar()[:2]].append(s)
                totals[local.isocalendar()[:2]] += s["drive_minutes"]
                continue
            off = {m for b in s["breaks"] for m in range(_minute(b["start"]), _minute(b["end"]))}
            for m in range(_minute(s["start"]), _minute(s["end"])):
                if m in off:
                    continue
                week = datetime.fromtimestamp(m * 60, VIENNA).isocalendar()[:2]
                totals[week] += 1
                if s not in weeks[week]:
                    weeks[week].append(s)
        for week, members in weeks.items():
            if totals[week] > limit:
                found.add((d, tuple(sorted(s["id"] for s in members)), totals[week]))
    return found


def brute_night(inst: dict[str, Any], pl: dict[str, Any], limit: int) -> dict[str, int]:
    """R13 minute by minute: per driver, the most work in any 1440 elapsed minutes that hold a
    working minute between 00:00 and 04:00 Vienna wall-clock time, where that exceeds `limit`."""
    out = {}
    for d, shifts in _by_driver(inst, pl).items():
        work: set[int] = set()
        for s in shifts:
            off = {m for b in s["breaks"] for m in range(_minute(b["start"]), _minute(b["end"]))}
            work |= set(range(_minute(s["start"]), _minute(s["end"]))) - off
        if not work:
            continue
        night = {m for m in work if datetime.fromtimestamp(m * 60, VIENNA).hour < 4}
        lo, hi = min(work) - 1440, max(work) + 1
        counts = [1 if m in work else 0 for m in range(lo, hi + 1440)]
        nights = [1 if m in night else 0 for m in range(lo, hi + 1440)]
        best = 0
        in_w = sum(counts[:1440])
        n_w = sum(nights[:1440])
        for i in range(hi - lo):
            if n_w and in_w > best:
                best = in_w
            in_w += counts[i + 1440] - counts[i]
            n_w += nights[i + 1440] - nights[i]
        if best > limit:
            out[d] = best
    return out


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_oracle_agrees_with_brute_force(scenario: tuple[dict[str, Any], dict[str, Any]]) -> None:
    inst, pl = scenario
    parsed = parse_instance(inst)
    violations = check_plan(parsed, parse_plan(pl, parsed))
    planned = {a["shift"] for a in pl["assignments"]}
    limits = Limits()
    for v in violations:
        assert v.rule in RULES
        assert set(v.shifts) <= planned | set(pl["uncovered"]) | {s["id"] for s in inst["shifts"]}
    overlaps = {(v.driver, v.shifts) for v in violations
                if v.rule == "R0" and v.driver and "overlap by" in v.message}
    assert overlaps == brute_overlaps(inst, pl)
    for rule, value, limit in (("R2", "drive", limits.weekly_drive),
                               ("R7", "work", limits.weekly_work)):
        oracle = {(v.driver, v.shifts, v.measured) for v in violations
                  if v.rule == rule and v.reason == VIOLATED}
        assert oracle == brute_weekly(inst, pl, value, limit), rule
    worst: dict[str, int] = {}
    for v in violations:
        if v.rule == "R13" and v.reason == VIOLATED and v.driver:
            worst[v.driver] = max(worst.get(v.driver, 0), v.measured or 0)
    assert worst == brute_night(inst, pl, limits.night_work_limit)
    # a gap below the reduced daily rest is a break inside a duty (split duty), never an R5
    assert not [v for v in violations if v.rule == "R5" and v.limit == limits.reduced_daily_rest]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(scenarios(), st.booleans())
def test_oracle_never_crashes_without_inputs(scenario: tuple[dict[str, Any], dict[str, Any]],
                                             drop_history: bool) -> None:
    inst, pl = scenario
    stripped = {s["id"] for s in inst["shifts"][::2]}
    for s in inst["shifts"][::2]:
        s.pop("drive_minutes")
        s.pop("breaks")
    if drop_history:
        inst.pop("history")
    parsed = parse_instance(inst)
    violations = check_plan(parsed, parse_plan(pl, parsed))
    for a in pl["assignments"]:
        if drop_history or a["shift"] in stripped:  # fails closed on this assignment
            assert any(v.reason == "missing input" and a["shift"] in v.shifts
                       for v in violations), a

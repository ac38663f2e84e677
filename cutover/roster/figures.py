"""Quality figures of a plan (docs/roster.md): reported, never pass/fail.

With a baseline plan (the roster before a sick call) the figures describe the repair:

* coverage: uncovered shifts split into *orphaned by absence* (the baseline driver is now absent
  during the shift), *already uncovered* (uncovered in the baseline too) and *newly uncovered*
  (the baseline driver is still available; a repair should never produce these);
* churn: shifts whose driver differs from the baseline, apart from the orphaned shifts (the
  absent drivers' own, which must change); drivers touched: drivers other than those losing an
  orphaned shift whose set of shifts changed;
* overtime added and reduced daily rests added, relative to the baseline;
* changes within 24 h: changed shifts (orphans included) starting less than 1440 minutes after
  the reference time, by default the earliest start of an absence that orphans a shift (the
  sick call), else the start of the instance week. Shifts already started count too.

Worked minutes are span minus breaks (the whole span if breaks are missing: figures never fail
closed, the rules do). Overtime per driver is worked minutes over `contract_minutes_week`;
fairness is the spread (max - min) of worked minus contract minutes over drivers with a
contract. All figures are integers, so the report hashes stably.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from cutover.roster.model import Instance, Plan, iso
from cutover.roster.rules import RULES, Limits, Violation, not_judged
from cutover.roster.rules.rest import reduced_rests
from cutover.roster.rules.timelines import timelines


def _drivers_of(plan: Plan) -> dict[str, str]:
    """Shift -> driver (the smallest driver id if a broken plan lists several)."""
    out: dict[str, str] = {}
    for a in sorted(plan.assignments, key=lambda a: (a.shift, a.driver)):
        out.setdefault(a.shift, a.driver)
    return out


def worked_minutes(instance: Instance, plan: Plan) -> dict[str, int]:
    """Working minutes per driver over the planned shifts (every driver listed)."""
    worked = {d.id: 0 for d in instance.drivers}
    for shift_id, driver in _drivers_of(plan).items():
        shift = instance.shift_by_id[shift_id]
        worked[driver] += shift.span.minutes - sum(b.minutes for b in shift.breaks or ())
    return worked


def overtime(instance: Instance, plan: Plan) -> int:
    """Total minutes worked beyond the weekly contracts."""
    worked = worked_minutes(instance, plan)
    return sum(max(0, worked[d.id] - d.contract_minutes_week)
               for d in instance.drivers if d.contract_minutes_week is not None)


def reduced_rest_count(instance: Instance, plan: Plan, limits: Limits) -> int:
    """Reduced daily rests that touch a planned shift."""
    return sum(len(reduced_rests(periods, limits))
               for _, periods in sorted(timelines(instance, plan).items()))


def fairness(instance: Instance, plan: Plan) -> dict[str, int]:
    """Spread of worked minus contract minutes over the drivers with a contract."""
    worked = worked_minutes(instance, plan)
    deltas = [worked[d.id] - d.contract_minutes_week
              for d in instance.drivers if d.contract_minutes_week]
    if not deltas:
        return {"drivers": 0, "min_vs_contract": 0, "max_vs_contract": 0, "spread": 0}
    return {"drivers": len(deltas), "min_vs_contract": min(deltas),
            "max_vs_contract": max(deltas), "spread": max(deltas) - min(deltas)}


def orphaned_shifts(instance: Instance, baseline: Plan) -> dict[str, str]:
    """Baseline shifts whose driver is absent during them: shift -> absent driver."""
    absences = defaultdict(list)
    for a in instance.absences:
        absences[a.driver].append(a.span)
    out = {}
    for shift_id, driver in _drivers_of(baseline).items():
        span = instance.shift_by_id[shift_id].span
        if any(s.overlap(span) for s in absences.get(driver, ())):
            out[shift_id] = driver
    return out


def _reference(instance: Instance, orphans: dict[str, str], now: int | None) -> int:
    if now is not None:
        return now
    starts = [a.span.start for a in instance.absences
              if any(instance.shift_by_id[s].span.overlap(a.span) and d == a.driver
                     for s, d in orphans.items())]
    return min(starts) if starts else instance.horizon().start


def figures(instance: Instance, plan: Plan, violations: list[Violation],
            baseline: Plan | None = None, limits: Limits | None = None,
            now: int | None = None) -> dict[str, Any]:
    """All §7.4 figures; the baseline-relative ones are null without a baseline."""
    limits = limits or Limits()
    per_rule = {rule: 0 for rule in RULES}
    for v in violations:
        per_rule[v.rule] += 1
    assigned = _drivers_of(plan)
    uncovered = sorted(s.id for s in instance.shifts if s.id not in assigned)
    out: dict[str, Any] = {
        "shifts": len(instance.shifts),
        "covered": len(instance.shifts) - len(uncovered),
        "uncovered": len(uncovered),
        "violations_per_rule": per_rule,
        "rules_not_judged": not_judged(instance, plan, limits),
        "overtime_minutes": overtime(instance, plan),
        "reduced_rests": reduced_rest_count(instance, plan, limits),
        "fairness": fairness(instance, plan),
        "coverage_split": None, "churn": None, "overtime_added": None,
        "reduced_rests_added": None, "changes_within_24h": None,
    }
    if baseline is not None:
        out.update(_against_baseline(instance, plan, baseline, uncovered, limits, now))
    return out


def _against_baseline(instance: Instance, plan: Plan, baseline: Plan, uncovered: list[str],
                      limits: Limits, now: int | None) -> dict[str, Any]:
    """Coverage split, churn and the added figures relative to the baseline."""
    before, after = _drivers_of(baseline), _drivers_of(plan)
    orphans = orphaned_shifts(instance, baseline)
    changed = sorted(s.id for s in instance.shifts if before.get(s.id) != after.get(s.id))
    churned = [s for s in changed if s not in orphans]
    touched = set()
    for s in churned:
        touched.update(d for d in (before.get(s), after.get(s)) if d is not None)
    touched -= set(orphans.values())
    reference = _reference(instance, orphans, now)
    soon = [s for s in changed if instance.shift_by_id[s].start - reference < 1440]
    return {
        "coverage_split": {
            "orphaned_by_absence": [s for s in uncovered if s in orphans],
            "already_uncovered": [s for s in uncovered if s not in before],
            "newly_uncovered": [s for s in uncovered if s in before and s not in orphans],
        },
        "churn": {
            "changed": len(churned), "changed_shifts": churned,
            "orphaned": len(orphans),
            "orphans_reassigned": sum(1 for s in orphans if s in after),
            "drivers_touched": len(touched),
        },
        "overtime_added": overtime(instance, plan) - overtime(instance, baseline),
        "reduced_rests_added": reduced_rest_count(instance, plan, limits)
        - reduced_rest_count(instance, baseline, limits),
        "changes_within_24h": len(soon),
        "reference_time": iso(reference, instance.tz),
    }

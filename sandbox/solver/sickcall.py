"""Sick-call repair in stages (docs/roster.md): place the orphans, chain and widen only if needed.

The absences are added to the instance (the returned plan's `instance_sha256` is that of the
instance *with* them). A baseline shift is *orphaned* when its driver is absent during it.
Every other baseline assignment is *kept*; a kept assignment the oracle rejects (a broken
baseline) is displaced and placed again like an orphan.

* Stage 1 freezes every kept assignment and places only the orphans: a zero-churn repair
  whenever one exists (and the search proves it at pilot scale in well under a second).
* If orphans stay uncovered, stage 2 covers what it can by ejection chains (`chains.py`): an
  orphan goes to a driver who gives up the shifts blocking it (within a daily rest of it, then
  within 48 hours), each to a driver who can take it as their week stands, least churn first,
  every link decided by the model's rules for that driver's week (`fixedweek.py`); the model
  then re-places what the chains changed, at their coverage, with the fewest changes (its
  bound is the churn floor).
* While orphans stay open, one coverage-only search over the widest neighbourhood (below;
  up to BOUND_MAX_FREE free shifts) first asks whether any widening could cover more; when
  it proves not, no widening stage runs (each would spend its budget failing to prove it).
  Otherwise widening stages search the model over a neighbourhood: first the
  kept shifts that block every orphan stage 1 left open outright (within a daily rest of it,
  of drivers who could take it) if that stays within WIDEN_MAX_FREE free shifts, else those
  of the orphans still open; then those drivers' kept shifts within 48 hours; what the chains
  moved is free too. Each searches for more coverage with the fewest moves (no LP: fastest at
  finding cover); if it finds some, a second search re-places only the shifts that search
  moved, at that coverage, with the fewest changes (with the LP, usually proven optimal), and
  moved shifts go back to their baseline drivers wherever the oracle agrees. A wider stage is
  accepted only if it covers more shifts.
* Last, chains two links deep (a blocker's taker gives up its own blocker) for the orphans
  still open, within a fixed count of tried links.
  The week is never re-rostered wholesale: that is not a repair.

Shifts uncovered in the baseline stay uncovered: a sick-call repair changes nothing it does not
have to. The result passes the oracle (`finalize.make_valid`) and is byte-identical for the same
inputs, seed and parameters.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from cutover.roster.canonical import instance_sha256
from cutover.roster.figures import orphaned_shifts
from cutover.roster.model import Instance, iso
from cutover.roster.parse import parse_instance, parse_plan
from cutover.roster.rules import Limits
from cutover.roster.rules.assignments import eligibility_violations
from sandbox.solver.chains import chain_cover
from sandbox.solver.cpmodel import W_CHURN, W_UNCOVERED
from sandbox.solver.finalize import Judged, judge_driver, make_valid, plan_document
from sandbox.solver.greedy import greedy
from sandbox.solver.params import SolverParams
from sandbox.solver.problem import Problem, build_problem
from sandbox.solver.search import Outcome, optimise

# widening stages: free kept shifts of candidate drivers starting or ending this close to an
# open orphan; the first radius is the daily rest (the shifts that block it outright)
RADII = (660, 48 * 60)
# the cover-bound proof is tried only up to this many free shifts: measured (bench_roster.py),
# it proved at 141 free shifts in 0.33 deterministic s before R11's second weekly rest; since,
# at the pilot's 195 it finds nothing within the 1 s budget (2026-12-07: skipping it there cut
# the pilot repair from 4.9 to 1.9 CPU s with the same plan), and at 343 and 658 neither
BOUND_MAX_FREE = 150
# the model's widening stages run after the chains only up to this many free shifts: at
# 100x450 with 16 weeks of history (2026-12-07) they spent a deterministic second each over
# 320 and 408 free shifts (5.7 s) to cover 2 orphans where the chains covered 5
WIDEN_MAX_FREE = 150


def week_absences(instance: Mapping[str, Any], drivers: Sequence[str], start: str | None = None,
                  end: str | None = None, reason: str = "sick") -> list[dict[str, str]]:
    """Absence records for drivers, by default over the whole instance week."""
    parsed = parse_instance(instance, "instance")
    horizon = parsed.horizon()
    start = start or iso(horizon.start, parsed.tz)
    end = end or iso(horizon.end, parsed.tz)
    return [{"driver": d, "start": start, "end": end, "reason": reason}
            for d in sorted(set(drivers))]


def with_absences(instance: Mapping[str, Any],
                  absences: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A copy of the instance document with the absences added (duplicates once, sorted)."""
    doc = copy.deepcopy(dict(instance))
    merged = {(a["driver"], a["start"], a["end"], a.get("reason", "")): dict(a)
              for a in [*doc.get("absences", []), *absences]}
    doc["absences"] = [merged[k] for k in sorted(merged)]
    return doc


def repair(instance: Mapping[str, Any], baseline_plan: Mapping[str, Any],
           absences: Sequence[Mapping[str, Any]], seed: int,
           params: SolverParams | None = None) -> dict[str, Any]:
    """A valid repaired plan (for the instance with the absences added)."""
    return repair_with_stats(instance, baseline_plan, absences, seed, params)[0]


def repair_with_stats(instance: Mapping[str, Any], baseline_plan: Mapping[str, Any],
                      absences: Sequence[Mapping[str, Any]], seed: int,
                      params: SolverParams | None = None,
                      ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The repaired plan and how it was found (stages, statuses, churn and its proven floor)."""
    params = params or SolverParams()
    doc = with_absences(instance, absences)
    parsed = parse_instance(doc, "instance")
    baseline = parse_plan(baseline_plan, parsed, "baseline")
    base: dict[str, str] = {}
    for a in sorted(baseline.assignments, key=lambda a: (a.shift, a.driver)):
        base.setdefault(a.shift, a.driver)
    orphans = orphaned_shifts(parsed, baseline)
    judged: Judged = {}  # one driver's findings by (driver, shifts), shared by every check
    kept, _ = make_valid(parsed, {s: d for s, d in base.items() if s not in orphans},
                         params.limits, memo=judged)
    displaced = sorted(s for s in base if s not in orphans and s not in kept)
    problem = build_problem(parsed, params.limits)
    staged = _Stages(problem, parsed, kept, seed, params, judged)
    result = staged.run(sorted(orphans) + displaced)
    plan = plan_document(parsed, result, instance_sha256(doc), seed)
    churn = sum(1 for s, d in base.items() if s not in orphans and result.get(s) != d)
    stats = {"orphaned": len(orphans), "displaced": len(displaced),
             "orphans_uncovered": sum(1 for s in orphans if s not in result),
             "churn": churn, **staged.summary()}
    return plan, stats


def undo_churn(instance: Instance, assignment: dict[str, str], kept: Mapping[str, str],
               limits: Limits, memo: Judged | None = None) -> dict[str, str]:
    """Give moved shifts back to their baseline drivers wherever the oracle still agrees.

    A search stopped by its budget may move more kept shifts than needed; each move back is
    checked against the baseline driver's whole timeline, so coverage never drops.
    """
    current = dict(assignment)
    changed = True
    while changed:
        changed = False
        for sid in sorted(s for s, d in kept.items() if current.get(s) != d):
            if eligibility_violations(instance, sid, kept[sid], limits):
                continue
            trial = {**current, sid: kept[sid]}
            mine = [s for s, d in trial.items() if d == kept[sid]]
            if not judge_driver(instance, kept[sid], mine, limits, memo):
                current, changed = trial, True
    return current


class _Stages:
    """Runs stage 1 and, while orphans stay uncovered, the wider stages."""

    def __init__(self, problem: Problem, instance: Instance, kept: dict[str, str], seed: int,
                 params: SolverParams, judged: Judged) -> None:
        self.problem, self.instance, self.kept = problem, instance, kept
        self.judged = judged
        self.seed, self.params = seed, params
        self.log: list[dict[str, Any]] = []
        self.cover_bound: dict[str, Any] | None = None

    def run(self, to_place: list[str]) -> dict[str, str]:
        current = self._stage(to_place, self.kept, dict(self.kept))
        blocked = [s for s in to_place if s not in current]
        if not blocked:
            return current
        current = self._chains(blocked, current)
        open_ = [s for s in to_place if s not in current]
        if open_ and not self._no_more_cover(to_place, current, blocked, open_):
            current = self._widen(to_place, current, blocked)
        open_ = [s for s in to_place if s not in current]
        if open_:  # last: chains two links deep (a blocker's taker gives up its own)
            current = self._chains(open_, current, depth=2)
        return current

    def _widen(self, to_place: list[str], current: dict[str, str],
               blocked: list[str]) -> dict[str, str]:
        """The model's widening stages, while orphans stay open (module docstring)."""
        for radius in RADII:
            open_ = [s for s in to_place if s not in current]
            if not open_:
                break
            # the first widening frees the neighbourhood of every orphan stage 1 left open
            # (covering one may take another's) where that stays small, else, like the
            # second, that of those still open; what the chains moved is free too, so their
            # week is a solution of the model
            around = [blocked, open_] if radius == RADII[0] else [open_]
            hoods = [self._neighbourhood(o, radius) | self._moved(current) for o in around]
            fits = [f for f in hoods if len(set(to_place) | f) <= WIDEN_MAX_FREE]
            if not fits:
                self.log.append({"free_shifts": len(set(to_place) | hoods[-1]),
                                 "accepted": False, "status": "NOT_TRIED"})
                continue
            if not fits[0]:
                continue
            freed = fits[0]
            fixed = {s: d for s, d in self.kept.items() if s not in freed}
            widened = self._stage(sorted(set(to_place) | freed), fixed, current)
            if len(widened) > len(current):
                current = widened
            else:
                self.log[-1]["accepted"] = False
        return current

    def _moved(self, current: Mapping[str, str]) -> set[str]:
        """Kept shifts `current` gives to another driver than their kept one."""
        return {s for s, d in self.kept.items() if current.get(s) != d}

    def _no_more_cover(self, to_place: list[str], current: dict[str, str],
                       blocked: list[str], open_: list[str]) -> bool:
        """True when the widest widening stage provably cannot cover another shift, so none
        is run (each would spend its whole budget failing to prove that).

        Coverage alone, with the LP relaxation (its bound is what proves optimality), over the
        widest neighbourhood (48 hours around every orphan stage 1 left open, and what the
        chains moved): every widening stage frees a subset of it, so it cannot do better.
        """
        freed = self._neighbourhood(blocked, RADII[-1]) | self._moved(current)
        free = sorted(set(to_place) | freed)
        if len(free) > BOUND_MAX_FREE:
            self.cover_bound = {"free_shifts": len(free), "open": len(open_), "proven": False,
                                "status": "NOT_TRIED", "deterministic_time": None}
            return False
        fixed = {s: d for s, d in self.kept.items() if s not in freed}
        hint = {s: current[s] for s in free if s in current}
        outcome = optimise(self.problem, free, fixed, hint, self.kept, self.seed, self.params,
                           self.params.repair_deterministic_time, overtime_weight=0,
                           churn_weight=0)
        proven = (outcome is not None and outcome.status == "OPTIMAL"
                  and outcome.uncovered >= len(open_))
        self.cover_bound = {"free_shifts": len(free), "open": len(open_), "proven": proven,
                            "status": outcome.status if outcome else "NO_SOLUTION",
                            "deterministic_time": round(outcome.deterministic_time, 3)
                            if outcome else None}
        return proven

    def _chains(self, open_: list[str], current: dict[str, str],
                depth: int = 1) -> dict[str, str]:
        """Cover open shifts by ejection chains of up to `depth` links (`chains.py`), the
        nearest blockers first, then those within 48 hours; then the model re-places what the
        chains changed, everything else fixed, at their coverage with the fewest changes (its
        bound is the churn floor). Never worse than `current`."""
        chained = dict(current)
        for radius in RADII:
            chained = chain_cover(self.problem, [s for s in open_ if s not in chained],
                                  chained, self.kept, radius, depth)
        changed = sorted(s for s in chained if chained[s] != current.get(s))
        if not changed:
            self.log.append({"free_shifts": 0, "accepted": False, "status": "NO_CHAIN",
                             "method": "chains"})
            return current
        fixed = {s: d for s, d in chained.items() if s not in changed}
        outcome = optimise(self.problem, changed, fixed, chained, self.kept, self.seed,
                           self.params, self.params.repair_deterministic_time,
                           overtime_weight=0, cover_of=chained)
        lim, memo = self.params.limits, self.judged
        valid, _ = make_valid(self.instance, chained, lim, keep=fixed, memo=memo)
        if outcome is not None:
            placed, _ = make_valid(self.instance, {**fixed, **outcome.assignment}, lim,
                                   keep=fixed, memo=memo)
            if len(placed) >= len(valid):
                valid = placed
        entry = {**self._entry(len(changed), outcome), "method": "chains"}
        entry["accepted"] = len(valid) > len(current)
        self.log.append(entry)
        return valid if entry["accepted"] else current

    def _stage(self, free: list[str], fixed: dict[str, str],
               current: dict[str, str]) -> dict[str, str]:
        """Place the free shifts around the fixed ones; never worse than `current`."""
        hint = {s: current[s] for s in free if s in current}
        hint.update(greedy(self.problem, self.seed, [s for s in free if s not in hint],
                           {**fixed, **hint}))
        budget = self.params.repair_deterministic_time
        if not self.log:  # stage 1: only orphans are free, churn is zero by construction
            outcome = optimise(self.problem, free, fixed, hint, self.kept, self.seed,
                               self.params, budget)
        else:  # widening: more coverage with the fewest moves (no LP), then fewer moves
            # (measured at 100x450: seeking coverage alone moved 46 shifts that the second
            # search then spent 0.8 s re-placing; counting moves, it re-places 12 in 0.1 s)
            open_now = sum(1 for s in free if s not in current)
            outcome = optimise(self.problem, free, fixed, hint, self.kept, self.seed,
                               self.params, budget, overtime_weight=0, churn_weight=W_CHURN,
                               no_lp=True)
            if outcome is not None and outcome.uncovered < open_now:
                outcome = self._less_churn(free, fixed, outcome)
        placed = outcome.assignment if outcome is not None else hint
        lim, memo = self.params.limits, self.judged
        valid, _ = make_valid(self.instance, {**fixed, **placed}, lim, keep=fixed, memo=memo)
        if self.log:
            valid, _ = make_valid(self.instance,
                                  undo_churn(self.instance, valid, self.kept, lim, memo),
                                  lim, keep=fixed, memo=memo)
        hinted, _ = make_valid(self.instance, {**fixed, **hint}, lim, keep=fixed, memo=memo)
        if len(hinted) > len(valid):
            valid = hinted
        self.log.append(self._entry(len(free), outcome))
        return valid

    def _less_churn(self, free: list[str], fixed: dict[str, str], found: Outcome) -> Outcome:
        """Re-place only what the coverage search moved, at its coverage, with fewest moves."""
        moved = {s for s in free if s in self.kept and found.assignment.get(s) != self.kept[s]}
        narrow = sorted(s for s in free if s not in self.kept or s in moved)
        pinned = {**fixed, **{s: self.kept[s] for s in free if s in self.kept and s not in moved}}
        better = optimise(self.problem, narrow, pinned, found.assignment, self.kept, self.seed,
                          self.params, self.params.repair_deterministic_time, overtime_weight=0,
                          cover_of=found.assignment)
        if better is None:
            return found
        return replace(better, assignment={**{s: d for s, d in pinned.items() if s in free},
                                           **better.assignment})

    def _entry(self, free: int, outcome: Outcome | None) -> dict[str, Any]:
        entry: dict[str, Any] = {"free_shifts": free, "accepted": True,
                                 "status": outcome.status if outcome else "NO_SOLUTION"}
        if outcome is not None:
            floor = outcome.bound - W_UNCOVERED * outcome.uncovered
            entry.update(uncovered=outcome.uncovered, churn=outcome.churn,
                         churn_floor=max(0, floor // W_CHURN),
                         deterministic_time=round(outcome.deterministic_time, 3))
        return entry

    def _neighbourhood(self, open_: list[str], radius: int) -> set[str]:
        """Kept shifts, within `radius` minutes of an open shift, of drivers who could take it."""
        freed = set()
        by_driver: dict[str, list[str]] = {}
        for s, d in sorted(self.kept.items()):
            by_driver.setdefault(d, []).append(s)
        for sid in open_:
            shift = self.problem.shift(sid)
            for d in self.problem.eligible[sid]:
                for k in by_driver.get(d, ()):
                    other = self.problem.shift(k)
                    if other.start < shift.end + radius and other.end > shift.start - radius:
                        freed.add(k)
        return freed

    def summary(self) -> dict[str, Any]:
        return {"stages": self.log, "cover_bound": self.cover_bound, "stage_used": max(
            (i + 1 for i, e in enumerate(self.log) if e["accepted"]), default=0)}

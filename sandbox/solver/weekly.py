"""Weekly roster from scratch: greedy seed, CP-SAT search, oracle check (docs/roster.md).

The greedy roster is the hint of a first CP-SAT search for coverage alone, without the LP
relaxation (measured: it finds cover much faster so; with R11's second regular weekly rest
the greedy hint misses a few shifts and the LP search from it spent its whole budget at
pilot scale). Its result is the hint of a second search, coverage first and then overtime,
with the LP relaxation, which keeps it unless it covers more. The first gets half the
deterministic-time budget (without the LP it cannot prove that a shift is uncoverable, so it
spends it all whenever one is; measured, a quarter lost a shift at 50x200), the second
(overtime is a quality figure, not a rule) an eighth:
measured at pilot scale it does not prove zero overtime from the cover search's roster
within a quarter either (2026-12-07, issue 23), and wall time is proportional to the budget.
The result
replaces the greedy roster only if, after the oracle check, it covers at least as many shifts
(the model is conservative in places, so the greedy is a floor). The same instance, seed and
parameters give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cutover.roster.canonical import instance_sha256
from cutover.roster.model import parse_instance
from sandbox.solver.cpmodel import optimise
from sandbox.solver.finalize import make_valid, plan_document
from sandbox.solver.greedy import greedy
from sandbox.solver.params import SolverParams
from sandbox.solver.problem import build_problem


def solve(instance: Mapping[str, Any], seed: int,
          params: SolverParams | None = None) -> dict[str, Any]:
    """A valid plan for the instance document (uncovered shifts listed)."""
    return solve_with_stats(instance, seed, params)[0]


def solve_with_stats(instance: Mapping[str, Any], seed: int,
                     params: SolverParams | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The plan and how it was found (status, objective, bound, what the oracle dropped)."""
    params = params or SolverParams()
    parsed = parse_instance(instance, "instance")
    problem = build_problem(parsed, params.limits)
    every = [s.id for s in problem.shifts]
    seeded = greedy(problem, seed, every)
    half = params.solve_deterministic_time / 2
    cover = optimise(problem, every, {}, seeded, {}, seed, params, half, overtime_weight=0,
                     no_lp=True)
    start = cover.assignment if cover is not None else seeded
    outcome = optimise(problem, every, {}, start, {}, seed, params, half / 4)
    if cover is not None and (outcome is None or cover.uncovered < outcome.uncovered):
        outcome = cover
    greedy_valid, _ = make_valid(parsed, seeded, params.limits)
    chosen, source, dropped = greedy_valid, "greedy", len(seeded) - len(greedy_valid)
    if outcome is not None:
        model_valid, _ = make_valid(parsed, outcome.assignment, params.limits)
        if len(model_valid) >= len(greedy_valid):
            chosen, source = model_valid, "cp-sat"
            dropped = len(outcome.assignment) - len(model_valid)
    plan = plan_document(parsed, chosen, instance_sha256(instance), seed)
    stats = {
        "source": source, "status": outcome.status if outcome else "NO_SOLUTION",
        "objective": outcome.objective if outcome else None,
        "bound": outcome.bound if outcome else None,
        "greedy_covered": len(greedy_valid), "covered": len(chosen),
        "shifts": len(every), "dropped_by_oracle": dropped,
    }
    return plan, stats

"""Weekly roster from scratch: greedy seed, CP-SAT search, oracle check (DESIGN §7.5).

The greedy roster is the hint of a first CP-SAT search (coverage first, then overtime, with
the LP relaxation: it proves the pilot optimal in seconds). If that is not proven optimal, a
second search for coverage alone, without the LP (measured: it finds more cover much faster
so), starts from its result and replaces it if it covers more. Each gets half the
deterministic-time budget. The result
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
    outcome = optimise(problem, every, {}, seeded, {}, seed, params, half)
    if outcome is None or outcome.status != "OPTIMAL":
        start = outcome.assignment if outcome is not None else seeded
        cover = optimise(problem, every, {}, start, {}, seed, params, half, overtime_weight=0,
                         no_lp=True)
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

"""Weekly roster from scratch: greedy seed, CP-SAT search, oracle check (docs/roster.md).

The greedy roster is the hint of a CP-SAT search for coverage alone, without the LP
relaxation (measured: it finds cover much faster so), in three quarters of the
deterministic-time budget, each independent part of the week on its own (`search.py`).
Each part then polishes its roster for overtime, at its coverage, with the LP relaxation,
from that search's complete solution, in the last quarter (overtime is a quality figure, not
a rule). The result replaces the greedy roster only if, after the oracle check, it covers at
least as many shifts (the model is conservative in places, so the greedy is a floor). The
same instance, seed and parameters give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cutover.roster.canonical import instance_sha256
from cutover.roster.parse import parse_instance
from sandbox.solver.finalize import make_valid, plan_document
from sandbox.solver.greedy import greedy
from sandbox.solver.params import SolverParams
from sandbox.solver.problem import build_problem
from sandbox.solver.search import optimise


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
    budget = params.solve_deterministic_time
    outcome = optimise(problem, every, {}, seeded, {}, seed, params, budget * 3 / 4,
                       overtime_weight=0, no_lp=True, polish=budget / 4)
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

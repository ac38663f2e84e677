"""Running the CP-SAT model deterministically, one independent part at a time (docs/roster.md).

Every constraint of the model belongs to one driver or one shift, so drivers and free shifts
that no candidate pair connects (another site, another licence, a driver frozen out) are
independent problems: each connected part is solved on its own, in a fixed order, with a
share of the deterministic-time budget proportional to its free shifts. Measured at 100x450
(two sites): smaller searches find cover sooner and prove more of it.

Solver settings: a fixed worker count and seed, `interleave_search` when there is more than
one worker (CP-SAT's deterministic parallel mode), deterministic-time budgets (never a
wall-clock limit, which varies with load), and no probing in presolve: measured at 100x450 it
took 16 of 21 wall seconds of presolve for no gain in cover (its deterministic time is
underestimated about sevenfold).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from sandbox.solver.cpmodel import W_CHURN, W_UNCOVERED, ModelBuilder, candidates
from sandbox.solver.params import SolverParams
from sandbox.solver.problem import Problem


@dataclass(frozen=True)
class Outcome:
    """What the search found: covered free shifts and how sure it is."""

    assignment: dict[str, str]  # free shift -> driver (covered ones only)
    status: str
    objective: int
    bound: int
    uncovered: int
    churn: int
    deterministic_time: float
    parts: int = 1  # independent parts searched


def components(cands: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Free shifts grouped by the drivers that connect them, each group sorted, groups in the
    order of their first shift id; shifts without a candidate form no group."""
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for sid in sorted(cands):
        for d in cands[sid]:
            ra, rb = find("s:" + sid), find("d:" + d)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for sid in sorted(cands):
        if cands[sid]:
            groups.setdefault(find("s:" + sid), []).append(sid)
    return sorted(groups.values(), key=lambda g: g[0])


def optimise(problem: Problem, free: Sequence[str], fixed: Mapping[str, str],
             hint: Mapping[str, str], baseline: Mapping[str, str], seed: int,
             params: SolverParams, deterministic_time: float,
             overtime_weight: int = 1, churn_weight: int = W_CHURN,
             cover_of: Mapping[str, str] | None = None,
             no_lp: bool = False, polish: float = 0.0) -> Outcome | None:
    """Search for the best placement of `free` shifts; None if no part found a solution.

    The weights shape the objective (uncovered shifts always dominate); `cover_of` caps each
    part's uncovered free shifts at that assignment's, so a second search can minimise churn
    at a coverage already found. `no_lp` drops the LP relaxation: a
    search for *more coverage* finds it much faster without, whereas minimising churn needs
    the LP bound. `polish` (deterministic seconds) adds a second phase to each part that
    found a solution: at that coverage, the whole objective with overtime, with the LP, from
    the first phase's complete solution as its hint (a partial hint left the LP search with no
    solution at all within its budget, measured at 100x450). A part that finds no solution
    keeps the hint's placement (the oracle judges it like any other), and the outcome is then
    FEASIBLE at best.
    """
    cands = candidates(problem, free, fixed)
    parts = components(cands)
    total = max(1, sum(len(p) for p in parts))
    assignment: dict[str, str] = {}
    statuses, objective, bound, dtime, found = [], 0, 0, 0.0, False
    for part in parts:
        share = len(part) / total
        cap = None if cover_of is None else sum(1 for s in part if s not in cover_of)
        result = _search_part(problem, {s: cands[s] for s in part}, fixed, hint, baseline,
                              seed, params, (deterministic_time * share, polish * share),
                              overtime_weight, churn_weight, cap, no_lp)
        if result is None:
            statuses.append("NO_SOLUTION")
            assignment.update({s: hint[s] for s in part
                               if s in hint and hint[s] in cands[s]})
            objective += W_UNCOVERED * sum(1 for s in part if s not in assignment)
            continue
        found = True
        placed, status, obj, low, spent = result
        assignment.update(placed)
        statuses.append(status)
        objective, bound, dtime = objective + obj, bound + low, dtime + spent
    if parts and not found:
        return None
    uncovered = sum(1 for sid in free if sid not in assignment)
    no_option = sum(1 for sid in free if not cands[sid])
    status = "OPTIMAL" if all(s == "OPTIMAL" for s in statuses) else "FEASIBLE"
    churn = sum(1 for sid in free if sid in baseline and assignment.get(sid) != baseline[sid])
    return Outcome(
        assignment=dict(sorted(assignment.items())), status=status,
        objective=objective + W_UNCOVERED * no_option,
        bound=bound + W_UNCOVERED * no_option, uncovered=uncovered, churn=churn,
        deterministic_time=dtime, parts=len(parts))


def _search_part(problem: Problem, cands: Mapping[str, Sequence[str]],
                 fixed: Mapping[str, str], hint: Mapping[str, str],
                 baseline: Mapping[str, str], seed: int, params: SolverParams,
                 budgets: tuple[float, float], overtime_weight: int, churn_weight: int,
                 max_uncovered: int | None, no_lp: bool,
                 ) -> tuple[dict[str, str], str, int, int, float] | None:
    """One part's search (and polish): (assignment, status, objective, bound, det. time)."""
    builder = ModelBuilder(problem, cands, fixed, baseline, overtime_weight, churn_weight)
    builder.build()
    if max_uncovered is not None:
        builder.m.add(sum(builder.u.values()) <= max_uncovered)
    builder.hint(hint)
    solver = _solver(params, seed, budgets[0], no_lp)
    status = solver.solve(builder.m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    spent = solver.deterministic_time
    if budgets[1] > 0:
        found = list(solver.response_proto.solution)
        uncovered = sum(solver.value(u) for u in builder.u.values())
        builder.m.add(sum(builder.u.values()) <= uncovered)
        builder.m.clear_objective()
        builder.overtime_weight = 1
        builder.objective()
        builder.m.clear_hints()
        for index, value in enumerate(found):
            builder.m.add_hint(builder.m.get_int_var_from_proto_index(index), value)
        polished = _solver(params, seed, budgets[1], no_lp=False)
        polished_status = polished.solve(builder.m)
        spent += polished.deterministic_time
        if polished_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solver, status = polished, polished_status
    placed = {sid: d for (d, sid), var in sorted(builder.x.items())
              if solver.boolean_value(var)}
    return (placed, solver.status_name(status), round(solver.objective_value),
            round(solver.best_objective_bound), spent)


def _solver(params: SolverParams, seed: int, budget: float, no_lp: bool) -> cp_model.CpSolver:
    """A solver with the determinism settings of the module docstring."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = params.num_workers
    solver.parameters.interleave_search = params.num_workers > 1
    if no_lp:
        solver.parameters.linearization_level = 0
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.random_seed = seed % (2**31)
    solver.parameters.max_deterministic_time = budget
    solver.parameters.log_search_progress = False
    # dual reductions in presolve may cut off the hinted greedy roster; keep it reachable
    solver.parameters.keep_all_feasible_solutions_in_presolve = True
    return solver

"""Solver settings that are part of the determinism key (docs/roster.md).

One search worker: CP-SAT's single-worker search is deterministic for a given model, seed and
deterministic-time budget, whereas several workers are only deterministic in interleaved mode
and measured on the 2-core sandbox they were slower, not better. Budgets are deterministic
seconds (about 1-2.5 wall seconds each here), never wall-clock: `solve_deterministic_time` for a
weekly solve (split over its two searches), `repair_deterministic_time` per repair search.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cutover.roster.rules import Limits


@dataclass(frozen=True)
class SolverParams:
    """Worker count, deterministic-time budgets and rule limits of a solver run."""

    num_workers: int = 1
    solve_deterministic_time: float = 20.0
    repair_deterministic_time: float = 1.0
    limits: Limits = field(default_factory=Limits)

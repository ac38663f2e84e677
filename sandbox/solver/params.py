"""Solver settings that are part of the determinism key (docs/roster.md).

One search worker: CP-SAT's single-worker search is deterministic for a given model, seed and
deterministic-time budget. Several workers are deterministic only in interleaved mode, and
measured on the 2-core sandbox (100x450, 2026-12-07) that mode spent about three times its
deterministic budget and twice the CPU for no better cover. Budgets are deterministic seconds,
never wall-clock: `solve_deterministic_time` for a weekly solve (three quarters for the cover
search, a quarter for the overtime polish, shared among the week's independent parts by
size), `repair_deterministic_time` per repair search. Measured at 100x450, 20 deterministic
seconds (the budget before) found the same roster as 6. A repair budget of 0.5 (was 1.0)
gave the same plan bytes at 50x200 and on the seeded pilot week, and at 100x450 one move more
(churn 12 against 11, every orphan covered either way) in 1.5 instead of 2.4 CPU seconds
(2026-12-07, 16 weeks of history): the 2 s goal of issue 23 decides it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cutover.roster.rules import Limits


@dataclass(frozen=True)
class SolverParams:
    """Worker count, deterministic-time budgets and rule limits of a solver run."""

    num_workers: int = 1
    solve_deterministic_time: float = 6.0
    repair_deterministic_time: float = 0.5
    limits: Limits = field(default_factory=Limits)

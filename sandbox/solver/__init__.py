"""The sandbox roster solver and sick-call repair service (OR-Tools CP-SAT, docs/roster.md).

`solve(instance, seed)` rosters a week (`weekly.py`); `repair(instance, baseline_plan,
absences, seed)` repairs a plan after absences (`sickcall.py`). Both take and return JSON
documents of the interchange format and always return plans that the oracle (`cutover.roster`)
accepts. The solver may import the oracle; the oracle never imports the solver.
"""

from __future__ import annotations

from sandbox.solver.sickcall import repair
from sandbox.solver.weekly import solve

__all__ = ["repair", "solve"]

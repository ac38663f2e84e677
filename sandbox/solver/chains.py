"""Ejection chains: how a sick-call repair covers an orphan by moving few shifts.

An orphan that no driver can take as the week stands (stage 1 proved it) is blocked: each
driver who could take it works too close to it, or has no room left in the week. A chain gives
the orphan to a driver who first gives up the shifts within `radius` minutes of it (the
*blockers*), each blocker to another driver who can take it as their week stands (or, with
`depth` > 1, who gives up their own blockers within a daily rest of it in turn). Options are
tried in the order of a lower bound on their churn (a kept shift leaving its kept driver
counts one, one coming back to it minus one), and the search stops at the first bound that
cannot beat the best chain found: per orphan, in the orphans' order, the least churn of any
such chain (branch and bound).

Every link is decided by the CP-SAT model's own rules for the driver it changes
(`fixedweek.fits`: the model's constraints for a week in which every assignment is known),
so no chain puts a driver in a week the model rejects; the repair then re-places what the
chains changed with the model itself (`sickcall.py`). Measured at 100x450 (16 weeks of
history): one link per blocker covered 5 of 8 blocked orphans with 6 moves in 0.9 CPU
seconds, where the model's searches over the radius neighbourhoods (320 and 408 free shifts)
spent 5.7 seconds to cover 2 with 3; two links covered 6 with 15 moves, in 10 seconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sandbox.solver.fixedweek import fits, frozen
from sandbox.solver.problem import Problem

Weeks = dict[str, tuple[str, ...]]  # driver -> shift ids: the weeks a chain has changed
CHECKS = 20_000  # links tried per orphan at most (deterministic work limit)


@dataclass(frozen=True)
class Chain:
    """A chain: its churn, its moves (shift -> driver) and the weeks it leaves."""

    churn: int
    moves: dict[str, str]
    weeks: Weeks


def chain_cover(problem: Problem, open_: Sequence[str], current: Mapping[str, str],
                kept: Mapping[str, str], radius: int, depth: int = 1,
                checks: int = CHECKS) -> dict[str, str]:
    """`current` with each open shift (in order) covered by its least-churn chain, if any,
    among those found within `checks` tried links (a count, so the answer is the same on any
    machine; one link deep, 100x450 needs about a thousand per orphan)."""
    out = dict(current)
    for sid in open_:
        chain = _Search(problem, out, kept, checks).place(sid, None, frozenset(), {}, radius,
                                                          depth, limit=len(out) + 1)
        if chain is not None:
            out.update(chain.moves)
    return out


class _Search:
    """Branch and bound over the chains that cover one shift, on one state of the week."""

    def __init__(self, problem: Problem, current: Mapping[str, str],
                 kept: Mapping[str, str], checks: int) -> None:
        self.p, self.kept, self.left = problem, kept, checks
        self.span = {s.id: (s.start, s.end) for s in problem.shifts}
        mine: dict[str, list[str]] = defaultdict(list)
        for s, d in sorted(current.items()):
            mine[d].append(s)
        self.mine = {d: tuple(v) for d, v in mine.items()}

    def week(self, driver: str, weeks: Weeks) -> tuple[str, ...]:
        return weeks.get(driver, self.mine.get(driver, ()))

    def delta(self, sid: str, old: str | None, new: str) -> int:
        """Churn of moving `sid` from `old` to `new` (0 for a shift with no kept driver)."""
        base = self.kept.get(sid)
        return 0 if base is None else int(new != base) - int(old != base)

    def floor(self, sid: str, holder: str) -> int:
        """The least churn of moving `sid` away from `holder`, wherever it goes."""
        base = self.kept.get(sid)
        return 0 if base is None else (1 if holder == base else -1)

    def place(self, sid: str, holder: str | None, chain: frozenset[str], weeks: Weeks,
              radius: int, depth: int, limit: int) -> Chain | None:
        """The least-churn chain (below `limit`) that gives `sid` from `holder` to a driver
        not in the chain yet: as that driver's week stands, or (depth > 0) once they gave
        up their blockers within `radius` minutes of it."""
        start, end = self.span[sid]
        options = []
        for d in self.p.eligible[sid]:
            if d in chain or d == holder:
                continue
            move = self.delta(sid, holder, d)
            options.append((move, 0, d, []))
            if depth == 0:
                continue
            span = self.span
            blockers = [k for k in self.week(d, weeks)
                        if span[k][0] < end + radius and span[k][1] > start - radius]
            if blockers:
                options.append((move + sum(self.floor(k, d) for k in blockers), len(blockers),
                                d, blockers))
        best: Chain | None = None
        for bound, _, d, blockers in sorted(options):
            if bound >= limit or self.left <= 0:
                break
            found = self._through(sid, holder, d, blockers, chain, weeks, depth, limit)
            if found is not None:
                best, limit = found, found.churn
        return best

    def _through(self, sid: str, holder: str | None, driver: str, blockers: list[str],
                 chain: frozenset[str], weeks: Weeks, depth: int, limit: int) -> Chain | None:
        """`driver` takes `sid` and each blocker goes on down the chain (None if one can't,
        or the chain cannot stay below `limit`)."""
        self.left -= 1
        week = self.week(driver, weeks)
        rest = tuple(k for k in week if k not in blockers) if blockers else week
        start, end = self.span[sid]
        low, high = start - self.p.limits.daily_rest, end + self.p.limits.daily_rest
        span = self.span
        if any(span[k][0] < high and span[k][1] > low for k in rest):
            return None  # R5 fails: what `fits` would say, without building its key
        if frozen(self.p, driver, rest) or not fits(self.p, driver, (*rest, sid)):
            return None
        weeks = {**weeks, driver: (*rest, sid)}
        if holder is not None:
            weeks[holder] = tuple(k for k in self.week(holder, weeks) if k != sid)
        churn = self.delta(sid, holder, driver)
        moves = {sid: driver}
        pending = sum(self.floor(k, driver) for k in blockers)
        inner = chain | {driver}
        for k in blockers:
            pending -= self.floor(k, driver)
            link = self.place(k, driver, inner, weeks, self.p.limits.daily_rest, depth - 1,
                              limit - churn - pending)
            if link is None:
                return None
            churn += link.churn
            moves.update(link.moves)
            weeks = {**weeks, **link.weeks}
            inner = inner | set(link.weeks)
        return Chain(churn, moves, weeks)

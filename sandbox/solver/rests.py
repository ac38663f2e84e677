"""R6 and R11 in the CP-SAT model: where each driver's weekly rests lie (docs/roster.md).

* R6: one weekly rest [r, r + 2700) per driver that misses every assigned shift (a domain
  constraint on r per shift, far cheaper than a `NoOverlap` of hundreds of optional intervals),
  with r <= b + 8640 where b = the start of the block before the rest (the earliest assigned
  shift, or the history's last block start if an assigned shift continues it: a
  min-equality), and every assigned shift ending by r + 2700 + 8640.
* R11: weekly rests are planned regular (2700), never reduced, so no compensation is ever
  owed; unless the history already holds two regular rests reaching into the previous week, a
  second regular rest [q, q + 2700) follows the first assigned shift and ends by the end of
  the week (and, when the history holds none, the rest after the history is regular too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ortools.sat.python import cp_model

from cutover.roster.rules import Limits
from sandbox.solver.problem import Problem


class WeeklyRests:
    """The weekly-rest part of `cpmodel.ModelBuilder` (a mixin: the builder holds the model,
    the problem and the variables these methods read and add)."""

    m: cp_model.CpModel
    p: Problem
    x: dict[tuple[str, str], cp_model.IntVar]
    cand_of: Mapping[str, list[str]]
    fixed_of: Mapping[str, list[str]]
    rest_vars: dict[str, tuple[cp_model.IntVar, cp_model.IntVar, int, int]]
    q_vars: dict[str, cp_model.IntVar]
    lim: Limits

    def weekly_rest(self, d: str) -> None:
        """R6: one weekly rest [r, r + 2700) per driver, placed between assigned shifts.

        Regular (2700), never reduced: a reduced weekly rest R6 relies on needs compensation
        within three weeks (R11), which a one-week plan cannot show.
        """
        lim, hist = self.lim, self.p.history[d]
        fixed = [self.p.shift(s) for s in self.fixed_of.get(d, ())]
        cands = [(self.p.shift(s), self.x[(d, s)]) for s in self.cand_of[d]]
        spans = [s.span for s in fixed] + [s.span for s, _ in cands]
        first = min(s.start for s in spans)
        chained = hist.last_end is not None and first - hist.last_end < lim.regular_weekly_rest
        earliest = hist.block_start if chained and hist.block_start is not None else first
        if max(s.end for s in spans) - earliest <= lim.weekly_rest_interval:
            return  # one block fits: no weekly rest needed in the horizon
        after = lim.regular_weekly_rest + lim.weekly_rest_interval
        lo = min([first, *(p.start for p in hist.periods)]) - after - lim.regular_weekly_rest
        hi = max([s.end for s in spans] + [p.end for p in hist.periods])
        r = self.m.new_int_var(lo, hi, f"wr_{d}")
        b = self.m.new_int_var(lo, hi, f"wb_{d}")
        self.rest_vars[d] = (r, b, lo, hi)
        week_rest = lim.regular_weekly_rest

        def clear_of(start: int, end: int) -> cp_model.Domain:
            """Rest starts r for which [r, r + 1440) misses the work [start, end)."""
            return cp_model.Domain.from_intervals([[lo, start - week_rest], [end, hi]])

        self.m.add(r <= b + lim.weekly_rest_interval)
        # the history's duties put r at or above `floor`; a duty ending by then cannot overlap
        # the rest, so only the last few of 16 weeks' duties need a constraint (same model)
        floor = max((p.end - after for p in hist.periods), default=None)
        if floor is not None:
            self.m.add(r >= floor)
        for p in hist.periods:
            if p.end > floor:
                self.m.add_linear_expression_in_domain(r, clear_of(p.start, p.end))
        chain_end = (hist.last_end or 0) + week_rest
        block = hist.block_start
        starts: list[cp_model.LinearExprT] = [hi]  # b = start of the block before the rest
        for s in fixed:
            self.m.add_linear_expression_in_domain(r, clear_of(s.start, s.end))
            starts.append(s.start if block is None or s.start >= chain_end else block)
            self.m.add(r >= s.end - after)
        for s, x in cands:
            self.m.add_linear_expression_in_domain(r, clear_of(s.start, s.end)).only_enforce_if(x)
            begin = s.start if block is None or s.start >= chain_end else min(block, s.start)
            starts.append(hi - (hi - begin) * x)
            if s.end - after > lo:
                self.m.add(r >= s.end - after).only_enforce_if(x)
        self.m.add_min_equality(b, starts)


    def rest_hint(self, d: str, assigned: list[tuple[int, int]]) -> None:
        """Hint r and b for a hinted assignment: the latest rest start the rules allow."""
        r, b, lo, hi = self.rest_vars[d]
        lim, hist = self.lim, self.p.history[d]
        after = lim.regular_weekly_rest + lim.weekly_rest_interval
        chain_end = (hist.last_end or 0) + lim.regular_weekly_rest
        begins = [hi] + [s if hist.block_start is None or s >= chain_end
                         else min(hist.block_start, s) for s, _ in assigned]
        b_value = min(begins)
        spans = sorted([*assigned, *((p.start, p.end) for p in hist.periods)])
        floor = max([lo] + [e - after for _, e in spans])
        ceiling = min(hi, b_value + lim.weekly_rest_interval)
        windows = [(lo, spans[0][0] - lim.regular_weekly_rest)] if spans else [(lo, hi)]
        latest = None
        for start, end in spans:
            if latest is not None and start - latest >= lim.regular_weekly_rest:
                windows.append((latest, start - lim.regular_weekly_rest))
            latest = end if latest is None else max(latest, end)
        if latest is not None:
            windows.append((latest, hi))
        fits = [min(w_hi, ceiling) for w_lo, w_hi in windows
                if max(w_lo, floor) <= min(w_hi, ceiling)]
        self.m.add_hint(b, b_value)
        if fits:
            self.m.add_hint(r, max(fits))


    def two_weekly_rests(self, d: str) -> None:
        """R11: the previous week and this one hold two regular weekly rests.

        The history's own rests (between its duties, and from the start of the recorded past
        to its first duty) that reach into the two weeks are counted first. If they hold
        none, the rest from the history's last duty to the first assigned shift must be
        regular (no assigned shift starts within 2700 of the history's end). Unless they hold
        two, a regular rest [q, q + 2700) lies after the first assigned shift and ends by the
        end of the week (visible; the oracle counts only what it sees). All rests regular, so
        no reduced weekly rest ever needs a compensation the plan cannot show.
        """
        lim, hist, view = self.lim, self.p.history[d], self.p.view
        if view.start is None or hist.rest_from is None or hist.regular_rests >= 2:
            return
        regular = lim.regular_weekly_rest
        held, latest = hist.regular_rests, hist.rest_from
        fixed = [self.p.shift(s) for s in self.fixed_of.get(d, ())]
        cands = [(self.p.shift(s), self.x[(d, s)]) for s in self.cand_of[d]]
        if held == 0:
            for s, x in cands:
                if s.start < latest + regular:
                    self.m.add(x == 0)
        hi = view.end - regular
        starts = [s.start for s in fixed] + [s.start for s, _ in cands]
        lo = min(starts)
        if hi < lo:
            for _, x in cands:
                self.m.add(x == 0)
            return
        q = self.m.new_int_var(lo, hi, f"q_{d}")
        self.q_vars[d] = q

        def clear_of(start: int, end: int) -> cp_model.Domain:
            return cp_model.Domain.from_intervals(
                [iv for iv in ([lo, start - regular], [end, hi]) if iv[0] <= iv[1]])

        for s in fixed:
            self.m.add_linear_expression_in_domain(q, clear_of(s.start, s.end))
        for s, x in cands:
            self.m.add_linear_expression_in_domain(q, clear_of(s.start, s.end)).only_enforce_if(x)
        first = self.m.new_int_var(lo, hi + regular, f"qf_{d}")
        self.m.add_min_equality(first, [hi + regular, *(s.start for s in fixed),
                                        *(hi + regular - (hi + regular - s.start) * x
                                          for s, x in cands)])
        self.m.add(q >= first)


def regular_rest_start(spans: Sequence[tuple[int, int]], end: int, regular: int) -> int | None:
    """The first start of a regular rest after the first of the sorted spans that ends by
    `end` and misses them all (R11's second weekly rest), or None."""
    latest = None
    for start, stop in spans:
        if latest is not None and start - latest >= regular:
            return latest
        latest = stop if latest is None else max(latest, stop)
    if latest is not None and end - latest >= regular:
        return latest
    return None

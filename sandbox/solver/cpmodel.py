"""The CP-SAT model (docs/roster.md): one boolean per eligible driver x shift, one per
uncovered shift.

Per driver:
* R0 overlap and R5: shifts extended by the 660-minute daily rest never overlap (no reduced
  rests are planned). These are fixed-time intervals, so the `NoOverlap` is written exactly as
  one at-most-one per maximal clique, which also gives the LP a strong relaxation.
* R1, R2, R3, R7: linear sums per local week of extended-driving duties, driving, two-week
  driving (history included) and working time.
* R6: one weekly rest [r, r + 1440) that misses every assigned shift (a domain constraint on r
  per shift, far cheaper than a `NoOverlap` of hundreds of optional intervals), with
  r <= b + 8640 where b = the start of the block before the rest (the earliest assigned shift, or
  the history's last block start if an assigned shift continues it: a min-equality), and every
  assigned shift ending by r + 1440 + 8640. One weekly rest suffices for a one-week instance.
* R6 and R11 (issue 23): weekly rests are planned regular (2700), never reduced, so no
  compensation is ever owed; unless the history already holds two regular rests reaching into
  the previous week, a second regular rest [q, q + 2700) follows the first assigned shift and
  ends by the end of the week (and, when the history holds none, the rest after the history
  is regular too).
* R7 and R14: working time per local week cut at Monday 00:00; the 17-week total with the
  history as known.
* R13: pairwise conflicts between shifts whose work in some 24 h holding night work would
  exceed 600 (with the history and fixed shifts).
* Lone-shift rules (R1 over 600, R4, R8, R10, R12, R13) and R0 eligibility are in the
  candidate list already (`problem.py`). A driver whose fixed shifts alone break these
  conservative constraints takes no new shift (the model stays feasible).

Shifts in `fixed` are constants (a repair's frozen assignments); the model only places `free`
shifts. Objective: uncovered shifts first, then churn (a freed shift leaving its baseline
driver), then overtime minutes. Determinism: the model is built from sorted lists, solved with
a fixed worker count and seed and a deterministic-time budget, never a wall-clock limit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ortools.sat.python import cp_model

from sandbox.solver.params import SolverParams
from sandbox.solver.problem import Problem

W_UNCOVERED = 10_000_000
W_CHURN = 1_000  # > the overtime one shift can add (<= 720 minutes)


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


class _Builder:
    """Builds the model for one search; holds the variables while it does."""

    def __init__(self, problem: Problem, free: Sequence[str], fixed: Mapping[str, str],
                 baseline: Mapping[str, str], overtime_weight: int = 1,
                 churn_weight: int = W_CHURN) -> None:
        self.p = problem
        self.lim = problem.limits
        self.m = cp_model.CpModel()
        self.free = sorted(free, key=lambda s: (problem.shift(s).start, s))
        self.fixed = dict(sorted(fixed.items()))
        self.baseline = baseline
        self.overtime_weight = overtime_weight
        self.churn_weight = churn_weight
        self.fixed_of: dict[str, list[str]] = defaultdict(list)
        for sid, d in self.fixed.items():
            self.fixed_of[d].append(sid)
        for shifts in self.fixed_of.values():
            shifts.sort(key=lambda s: (problem.shift(s).start, s))
        self.x: dict[tuple[str, str], cp_model.IntVar] = {}
        self.u: dict[str, cp_model.IntVar] = {}
        self.cand_of: dict[str, list[str]] = defaultdict(list)  # driver -> free shifts
        self.overtime: list[cp_model.IntVar] = []
        self.rest_vars: dict[str, tuple[cp_model.IntVar, cp_model.IntVar, int, int]] = {}
        self.ot_vars: dict[str, tuple[cp_model.IntVar, int]] = {}
        self.q_vars: dict[str, cp_model.IntVar] = {}

    def build(self) -> None:
        frozen = self._frozen_drivers()
        for sid in self.free:
            self.u[sid] = self.m.new_bool_var(f"u_{sid}")
            options = []
            for d in self.p.eligible[sid]:
                if d not in frozen and self._clear_of_fixed(d, sid):
                    var = self.m.new_bool_var(f"x_{d}_{sid}")
                    self.x[(d, sid)] = var
                    self.cand_of[d].append(sid)
                    options.append(var)
            self.m.add(sum(options) + self.u[sid] == 1)
        for driver in self.p.drivers:
            if self.cand_of.get(driver.id):
                self._driver(driver.id, driver.contract_minutes_week)
        self._objective()

    def _frozen_drivers(self) -> set[str]:
        """Drivers whose fixed shifts alone already break the model's (conservative) rules.

        The oracle accepted them (a repair keeps only what it accepts), but the model plans
        more strictly (regular weekly rests only, no reduced daily rests): its constraints on
        such a driver would make the whole model infeasible. They take no new shift here.
        """
        if not self.fixed:
            return set()
        wanted = {d for sid in self.free for d in self.p.eligible[sid]}
        frozen = set()
        for d in sorted(wanted & set(self.fixed_of)):
            key = tuple(self.fixed_of[d])
            if (d, key) not in self.p.probe_memo:  # stages ask again with the same fixed
                probe = _Builder(self.p, [], {s: d for s in key}, {})
                probe.cand_of[d] = []
                probe._driver(d, None, probe_only=True)
                solver = cp_model.CpSolver()
                solver.parameters.num_workers = 1
                solver.parameters.max_deterministic_time = 1.0
                status = solver.solve(probe.m)
                self.p.probe_memo[(d, key)] = status not in (cp_model.OPTIMAL, cp_model.FEASIBLE)
            if self.p.probe_memo[(d, key)]:
                frozen.add(d)
        return frozen

    def _clear_of_fixed(self, d: str, sid: str) -> bool:
        s, rest = self.p.shift(sid), self.lim.daily_rest
        return all(s.start >= f.end + rest or s.end + rest <= f.start
                   for f in (self.p.shift(x) for x in self.fixed_of.get(d, ())))

    def _driver(self, d: str, contract: int | None, probe_only: bool = False) -> None:
        self._rest_no_overlap(d)
        if not probe_only:  # the oracle already accepted the fixed shifts' weekly sums
            self._weekly_sums(d)
        self._weekly_rest(d)
        self._two_weekly_rests(d)
        self._night_work(d)
        if contract is not None and not probe_only:
            worked = sum(self.p.work[s] * self.x[(d, s)] for s in self.cand_of[d])
            fixed = sum(self.p.work[s] for s in self.fixed_of.get(d, ()))
            ot = self.m.new_int_var(0, 7 * 1440, f"ot_{d}")
            self.m.add(ot >= worked + fixed - contract)
            self.overtime.append(ot)
            self.ot_vars[d] = (ot, contract)

    def _rest_no_overlap(self, d: str) -> None:
        """R0/R5: shifts extended by the daily rest never overlap, as clique at-most-ones.

        The extended intervals are fixed in time, so their overlap graph is an interval graph
        whose maximal cliques are the sets of intervals alive at some start time: one
        at-most-one per maximal clique encodes the `NoOverlap` exactly and gives the LP
        relaxation a far stronger bound. Fixed shifts need no constraint: candidates that
        would not keep a full rest to them were never created.
        """
        rest = self.lim.daily_rest
        spans = sorted((self.p.shift(s).start, self.p.shift(s).end + rest, s)
                       for s in self.cand_of[d])
        starts = sorted({start for start, _, _ in spans})
        for i, t in enumerate(starts):
            alive = [(end, s) for start, end, s in spans if start <= t < end]
            nxt = starts[i + 1] if i + 1 < len(starts) else None
            if len(alive) > 1 and (nxt is None or min(end for end, _ in alive) <= nxt):
                self.m.add_at_most_one(self.x[(d, s)] for _, s in sorted(alive, key=lambda a: a[1]))

    def _weekly_sums(self, d: str) -> None:
        lim, hist = self.lim, self.p.history[d]
        by_week: dict[date, list[str]] = defaultdict(list)
        for sid in self.cand_of[d]:
            by_week[self.p.week[sid]].append(sid)
        fixed_week: dict[date, list[str]] = defaultdict(list)
        for sid in self.fixed_of.get(d, ()):
            fixed_week[self.p.week[sid]].append(sid)

        def total(weeks: Sequence[date], values: Mapping[str, int],
                  history: Mapping[date, int]) -> cp_model.LinearExprT:
            var = sum(values[s] * self.x[(d, s)] for w in weeks for s in by_week.get(w, ()))
            const = sum(values[s] for w in weeks for s in fixed_week.get(w, ()))
            return var + const + sum(history.get(w, 0) for w in weeks)

        def work(weeks: Sequence[date]) -> cp_model.LinearExprT:
            """Working minutes in the weeks, each shift cut at Monday 00:00 local (R7)."""
            var = sum(self.p.work_week[s].get(w, 0) * self.x[(d, s)]
                      for s in self.cand_of[d] for w in weeks if w in self.p.work_week[s])
            const = sum(self.p.work_week[s].get(w, 0) for s in self.fixed_of.get(d, ())
                        for w in weeks)
            return var + const + sum(hist.work.get(w, 0) for w in weeks)

        extended = {s: int(v > lim.daily_drive) for s, v in self.p.drive.items()}
        work_weeks = sorted({w for s in self.cand_of[d] for w in self.p.work_week[s]})
        for week in work_weeks:
            self.m.add(work([week]) <= lim.weekly_work)
            # R14: the total over the reference period ending with the week (history as known)
            ref = [week - timedelta(days=7 * k) for k in range(lim.average_reference_weeks)]
            self.m.add(work(ref) <= lim.average_week_work * lim.average_reference_weeks)
        for week in sorted(by_week):
            self.m.add(total([week], self.p.drive, hist.drive) <= lim.weekly_drive)
            if any(extended[s] for s in by_week[week]):
                self.m.add(total([week], extended, hist.extended) <= lim.extended_days_per_week)
        seven = timedelta(days=7)
        for first in sorted({w - seven for w in by_week} | set(by_week)):
            self.m.add(total([first, first + seven], self.p.drive, hist.drive)
                       <= lim.fortnight_drive)

    def _weekly_rest(self, d: str) -> None:
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
        for p in hist.periods:
            self.m.add(r >= p.end - after)
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

    def _rest_hint(self, d: str, assigned: list[tuple[int, int]]) -> None:
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

    def _two_weekly_rests(self, d: str) -> None:
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

    def _night_work(self, d: str) -> None:
        """R13: no two shifts (with the history and fixed shifts) whose work in some 24 h
        holding night work exceeds 600. Pairs are exact while no shift is shorter than 120
        minutes (a 24 h window cannot reach three shifts kept 660 apart); the oracle judges
        every plan whatever its shifts."""
        fixed = list(self.fixed_of.get(d, ()))
        cands = self.cand_of[d]
        for sid in cands:
            if self._near_night(sid, fixed) and self.p.night_conflict(d, [sid], fixed):
                self.m.add(self.x[(d, sid)] == 0)
        for i, a in enumerate(cands):
            sa = self.p.shift(a)
            for b in cands[i + 1:]:
                sb = self.p.shift(b)
                if sb.start - sa.end >= 1440 or sa.start - sb.end >= 1440:
                    continue
                if a not in self.p.night and b not in self.p.night:
                    continue
                if self.p.night_conflict(d, [a, b], fixed):
                    self.m.add_bool_or([self.x[(d, a)].Not(), self.x[(d, b)].Not()])

    def _near_night(self, sid: str, fixed: list[str]) -> bool:
        """Whether the shift or a fixed shift within a day of it works at night."""
        s = self.p.shift(sid)
        return sid in self.p.night or any(
            f in self.p.night and self.p.shift(f).start < s.end + 1440
            and self.p.shift(f).end > s.start - 1440 for f in fixed)

    def churn_terms(self) -> list[cp_model.LinearExprT]:
        """1 for each freed shift that leaves its baseline driver."""
        terms = []
        for sid in self.free:
            d = self.baseline.get(sid)
            if d is not None and (d, sid) in self.x:
                terms.append(1 - self.x[(d, sid)])
        return terms

    def _objective(self) -> None:
        self.m.minimize(W_UNCOVERED * sum(self.u.values())
                        + self.churn_weight * sum(self.churn_terms())
                        + self.overtime_weight * sum(self.overtime))

    def hint(self, hint: Mapping[str, str]) -> None:
        """Hint every boolean, and each driver's weekly-rest position to match."""
        assigned: dict[str, list[tuple[int, int]]] = defaultdict(list)
        worked: dict[str, int] = defaultdict(int)
        for sid, d in self.fixed.items():
            assigned[d].append((self.p.shift(sid).start, self.p.shift(sid).end))
            worked[d] += self.p.work[sid]
        for sid in self.free:
            h = hint.get(sid)
            placed = h is not None and (h, sid) in self.x
            self.m.add_hint(self.u[sid], not placed)
            for d in self.p.eligible[sid]:
                if (d, sid) in self.x:
                    self.m.add_hint(self.x[(d, sid)], placed and d == h)
            if h is not None and placed:
                assigned[h].append((self.p.shift(sid).start, self.p.shift(sid).end))
                worked[h] += self.p.work[sid]
        for d, (ot, contract) in sorted(self.ot_vars.items()):
            self.m.add_hint(ot, max(0, worked[d] - contract))
        for d in sorted(self.rest_vars):
            self._rest_hint(d, sorted(assigned.get(d, [])))
        for d, q in sorted(self.q_vars.items()):
            spans = sorted(assigned.get(d, []))
            value = regular_rest_start(spans, self.p.view.end, self.lim.regular_weekly_rest)
            if value is not None:
                self.m.add_hint(q, value)


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


def optimise(problem: Problem, free: Sequence[str], fixed: Mapping[str, str],
             hint: Mapping[str, str], baseline: Mapping[str, str], seed: int,
             params: SolverParams, deterministic_time: float,
             overtime_weight: int = 1, churn_weight: int = W_CHURN,
             max_uncovered: int | None = None, no_lp: bool = False) -> Outcome | None:
    """Search for the best placement of `free` shifts; None if no solution was found.

    The weights shape the objective (uncovered shifts always dominate); `max_uncovered` caps
    the uncovered free shifts, so a second search can minimise churn at a proven coverage.
    `no_lp` drops the LP relaxation: a search for *more coverage* finds it much faster
    without, whereas minimising churn needs the LP bound.
    """
    builder = _Builder(problem, free, fixed, baseline, overtime_weight, churn_weight)
    builder.build()
    if max_uncovered is not None:
        builder.m.add(sum(builder.u.values()) <= max_uncovered)
    builder.hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = params.num_workers
    if no_lp:
        solver.parameters.linearization_level = 0
    solver.parameters.random_seed = seed % (2**31)
    solver.parameters.max_deterministic_time = deterministic_time
    solver.parameters.log_search_progress = False
    # dual reductions in presolve may cut off the hinted greedy roster; keep it reachable
    solver.parameters.keep_all_feasible_solutions_in_presolve = True
    status = solver.solve(builder.m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    assignment = {sid: d for (d, sid), var in sorted(builder.x.items())
                  if solver.boolean_value(var)}
    churn = sum(1 for sid in builder.free
                if sid in baseline and assignment.get(sid) != baseline[sid])
    return Outcome(
        assignment=assignment, status=solver.status_name(status),
        objective=round(solver.objective_value), bound=round(solver.best_objective_bound),
        uncovered=sum(1 for sid in builder.free if sid not in assignment), churn=churn,
        deterministic_time=solver.deterministic_time,
    )

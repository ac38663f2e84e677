"""The CP-SAT model (docs/roster.md): one boolean per candidate driver x shift, one per
uncovered shift.

Per driver:
* R0 overlap and R5: shifts extended by the 660-minute daily rest never overlap (no reduced
  rests are planned). These are fixed-time intervals, so the `NoOverlap` is written exactly as
  one at-most-one per maximal clique, which also gives the LP a strong relaxation.
* R1, R2, R3, R7: linear sums per local week of extended-driving duties, driving, two-week
  driving (history included) and working time.
* R6 and R11: the weekly rests (`rests.py`).
* R7 and R14: working time per local week cut at Monday 00:00; the 17-week total with the
  history as known.
* R13: pairwise conflicts between shifts whose work in some 24 h holding night work would
  exceed 600 (with the fixed shifts), only for pairs that can both be worked (at least a
  daily rest apart) and lie within a day of each other: what can actually conflict.
* Lone-shift rules (R1 over 600, R4, R8, R10, R12, R13) and R0 eligibility are in the
  candidate list already (`problem.py`). A driver whose fixed shifts alone break these
  conservative constraints takes no new shift (the model stays feasible).

Shifts in `fixed` are constants (a repair's frozen assignments); the model only places `free`
shifts. Objective: uncovered shifts first, then churn (a freed shift leaving its baseline
driver), then overtime minutes. The model is built from sorted lists, so every process builds
the same one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from ortools.sat.python import cp_model

from sandbox.solver.fixedweek import frozen
from sandbox.solver.problem import Problem
from sandbox.solver.rests import WeeklyRests, regular_rest_start

W_UNCOVERED = 10_000_000
W_CHURN = 1_000  # > the overtime one shift can add (<= 720 minutes)


def candidates(problem: Problem, free: Sequence[str],
               fixed: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Free shift -> the drivers the model may give it: eligible, not frozen, and a full
    daily rest clear of the driver's fixed shifts."""
    fixed_of = _by_driver(problem, fixed)
    frozen = _frozen_drivers(problem, free, fixed_of)
    rest = problem.limits.daily_rest
    out = {}
    for sid in free:
        s = problem.shift(sid)
        out[sid] = tuple(
            d for d in problem.eligible[sid] if d not in frozen
            and all(s.start >= f.end + rest or s.end + rest <= f.start
                    for f in (problem.shift(x) for x in fixed_of.get(d, ()))))
    return out


def _by_driver(problem: Problem, fixed: Mapping[str, str]) -> dict[str, list[str]]:
    """Each driver's fixed shifts in start order."""
    out: dict[str, list[str]] = defaultdict(list)
    for sid, d in sorted(fixed.items()):
        out[d].append(sid)
    for shifts in out.values():
        shifts.sort(key=lambda s: (problem.shift(s).start, s))
    return out


def _frozen_drivers(problem: Problem, free: Sequence[str],
                    fixed_of: Mapping[str, list[str]]) -> set[str]:
    """Drivers whose fixed shifts alone already break the model's (conservative) rules.

    The oracle accepted them (a repair keeps only what it accepts), but the model plans
    more strictly (regular weekly rests only, no reduced daily rests): its constraints on
    such a driver would make the whole model infeasible. They take no new shift here. Each
    answer is remembered per (driver, fixed shifts): the stages of a repair ask again.
    """
    wanted = {d for sid in free for d in problem.eligible[sid]}
    return {d for d in sorted(wanted & set(fixed_of)) if frozen(problem, d, fixed_of[d])}


def is_frozen(problem: Problem, driver: str, fixed: Sequence[str]) -> bool:
    """Whether the driver's fixed shifts alone break the model's conservative rules, asked
    of CP-SAT: the probe `fixedweek.frozen` answers by arithmetic (tests compare the two;
    searches use that one), remembered per (driver, fixed shifts)."""
    key = (driver, tuple(sorted(fixed, key=lambda s: (problem.shift(s).start, s))))
    if not key[1]:
        return False
    if key not in problem.probe_memo:
        probe = ModelBuilder(problem, {}, {s: driver for s in key[1]}, {})
        probe.cand_of[driver] = []
        probe.driver_rules(driver, None, probe_only=True)
        problem.probe_memo[key] = not _feasible(probe.m)
    return problem.probe_memo[key]


def driver_fits(problem: Problem, driver: str, shifts: Sequence[str]) -> bool:
    """Whether the model accepts the driver working exactly these shifts: each an eligible
    pair, and every rule of the driver's timeline (`ModelBuilder.driver_rules`, weekly sums
    included) with each shift a candidate forced to 1: the reference that `fixedweek.fits`,
    which the repair's chains use, answers by arithmetic (tests compare the two)."""
    ids = sorted(shifts)
    if not all(driver in problem.eligible[s] for s in ids):
        return False
    if not ids:
        return True
    model = ModelBuilder(problem, {s: (driver,) for s in ids}, {}, {}, 0, 0)
    model.build()
    for sid in ids:
        model.m.add(model.x[(driver, sid)] == 1)
    model.m.clear_objective()
    return _feasible(model.m)


def _feasible(model: cp_model.CpModel) -> bool:
    """One deterministic single-worker feasibility check of a one-driver model."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = 1.0
    solver.parameters.cp_model_probing_level = 0
    return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


class ModelBuilder(WeeklyRests):
    """Builds the model for one search; holds the variables while it does."""

    def __init__(self, problem: Problem, cands: Mapping[str, Sequence[str]],
                 fixed: Mapping[str, str], baseline: Mapping[str, str],
                 overtime_weight: int = 1, churn_weight: int = W_CHURN) -> None:
        self.p = problem
        self.lim = problem.limits
        self.m = cp_model.CpModel()
        self.free = sorted(cands, key=lambda s: (problem.shift(s).start, s))
        self.cands = cands
        self.fixed = dict(sorted(fixed.items()))
        self.baseline = baseline
        self.overtime_weight = overtime_weight
        self.churn_weight = churn_weight
        self.fixed_of = _by_driver(problem, self.fixed)
        self.x: dict[tuple[str, str], cp_model.IntVar] = {}
        self.u: dict[str, cp_model.IntVar] = {}
        self.cand_of: dict[str, list[str]] = defaultdict(list)  # driver -> free shifts
        self.overtime: list[cp_model.IntVar] = []
        self.rest_vars: dict[str, tuple[cp_model.IntVar, cp_model.IntVar, int, int]] = {}
        self.ot_vars: dict[str, tuple[cp_model.IntVar, int]] = {}
        self.q_vars: dict[str, cp_model.IntVar] = {}

    def build(self) -> None:
        for sid in self.free:
            self.u[sid] = self.m.new_bool_var(f"u_{sid}")
            options = []
            for d in self.cands[sid]:
                var = self.m.new_bool_var(f"x_{d}_{sid}")
                self.x[(d, sid)] = var
                self.cand_of[d].append(sid)
                options.append(var)
            self.m.add_exactly_one([*options, self.u[sid]])
        for driver in self.p.drivers:
            if self.cand_of.get(driver.id):
                self.driver_rules(driver.id, driver.contract_minutes_week)
        self.objective()

    def driver_rules(self, d: str, contract: int | None, probe_only: bool = False) -> None:
        """Every rule of one driver's timeline (probe_only: those the fixed shifts alone
        could break in the model but not in the oracle)."""
        self._rest_no_overlap(d)
        if not probe_only:  # the oracle already accepted the fixed shifts' weekly sums
            self._weekly_sums(d)
        self.weekly_rest(d)
        self.two_weekly_rests(d)
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
        alive: list[tuple[int, str]] = []
        k = 0
        for i, t in enumerate(starts):  # sweep: the intervals alive at each start time
            while k < len(spans) and spans[k][0] <= t:
                alive.append((spans[k][1], spans[k][2]))
                k += 1
            alive = [(end, s) for end, s in alive if end > t]
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

    def _night_work(self, d: str) -> None:
        """R13: no two of the driver's shifts (candidates, or a candidate and a fixed shift)
        whose work in some 24 h holding night work exceeds 600 (`Problem.night_pair`), only
        for pairs that can both be worked (at least a daily rest apart) and lie within a day
        of each other: what can actually conflict."""
        fixed = [self.p.shift(f) for f in self.fixed_of.get(d, ())]
        cands = self.cand_of[d]
        for sid in cands:
            s = self.p.shift(sid)
            if any(f.start < s.end + 1440 and f.end > s.start - 1440
                   and self.p.night_pair(sid, f.id) for f in fixed):
                self.m.add(self.x[(d, sid)] == 0)
        mine = set(cands)
        for a in cands:
            for b in self.p.night_partners(a):
                if b in mine:
                    self.m.add_bool_or([self.x[(d, a)].Not(), self.x[(d, b)].Not()])

    def churn_terms(self) -> list[cp_model.LinearExprT]:
        """1 for each freed shift that leaves its baseline driver."""
        terms = []
        for sid in self.free:
            d = self.baseline.get(sid)
            if d is not None and (d, sid) in self.x:
                terms.append(1 - self.x[(d, sid)])
        return terms

    def objective(self) -> None:
        """Uncovered shifts first, then churn, then overtime (by the builder's weights)."""
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
            for d in self.cands[sid]:
                self.m.add_hint(self.x[(d, sid)], placed and d == h)
            if h is not None and placed:
                assigned[h].append((self.p.shift(sid).start, self.p.shift(sid).end))
                worked[h] += self.p.work[sid]
        for d, (ot, contract) in sorted(self.ot_vars.items()):
            self.m.add_hint(ot, max(0, worked[d] - contract))
        for d in sorted(self.rest_vars):
            self.rest_hint(d, sorted(assigned.get(d, [])))
        for d, q in sorted(self.q_vars.items()):
            spans = sorted(assigned.get(d, []))
            value = regular_rest_start(spans, self.p.view.end, self.lim.regular_weekly_rest)
            if value is not None:
                self.m.add_hint(q, value)

"""The hard rules of docs/roster.md, recomputed from a plan and its instance (the roster oracle).

This package is an oracle: it never trusts a number a solver reports and contains no search.
Everything is integer minutes of elapsed (UTC) time; calendar questions use the instance's
timezone, so a DST week has 167 or 169 hours and a DST night is one hour shorter or longer.

Terms used below
----------------
* **work period**: a planned shift assigned to the driver, or one of the driver's `history`
  entries (duties before the instance week). History entries have no breaks: their whole span
  counts as working time and their `drive_minutes` as driving.
* **duty**: a maximal run of a driver's work periods, in start order, where each period starts
  less than `reduced_daily_rest` (540) minutes after the latest end so far, i.e. where the time
  off in between is not even a reduced daily rest. In a plan that meets R5 every shift is a duty
  of its own; two shifts with a short gap form one duty (as EU 561/2006 art. 4 counts "daily"
  driving between two daily rests) and are judged together by R1, R4, R8 and R10.
* **week**: the local calendar week of the instance timezone, Monday 00:00 to Monday 00:00
  (EU 561/2006 art. 4(i)). Driving belongs to the week in which its period starts (the
  interchange format gives drive minutes per shift, not per hour, so they cannot be split at
  midnight); working time is known minute by minute and is split at Monday 00:00 (R7, R14).
* A violation is reported only if it involves at least one planned shift: the history is the
  past and is not the plan's fault. `shifts` lists the planned shift ids involved.
* **Fail closed**: a measurement that needs a missing input (a shift without `drive_minutes`
  or `breaks`, a history entry without `drive_minutes`, an instance without `history`) is
  reported as a violation of that rule with reason "missing input", never passed.

Rules (limits are `Limits` fields; defaults in parentheses)
-----------------------------------------------------------
R0  Assignment integrity: a shift has at most one driver (an assignment listed twice counts
    twice); a shift is either assigned or listed in `uncovered`, not both and not neither;
    a driver's work periods (planned shifts and history) do not overlap (touching is fine);
    the driver holds the shift's qualification; the driver's site equals the shift's site
    unless `allow_cross_site`; the shift does not overlap (by a minute or more) any absence or
    `unavailable` span of the driver.
R1  Daily driving = the sum of drive minutes of a duty. A duty may drive at most
    `daily_drive` (540), or up to `daily_drive_extended` (600) on at most `extended_days_per_week`
    (2) duties per week (duties counted in the week they start, history included). A duty over
    600 is reported on its own and also counts as an extended day.
R2  Weekly driving: drive minutes of the work periods starting in a week <= `weekly_drive` (3360).
R3  Fortnightly driving: for every week holding a planned shift, that week's driving plus the
    previous week's (history included) <= `fortnight_drive` (5400). Needs `history`: an
    instance without the key fails closed for every driver with a planned shift; with the key,
    a driver without entries did not drive in the previous week.
R4  Continuous driving, EU 561/2006 art. 7: within a duty the working time is split by the
    pauses in it (a shift's `breaks`, and the gaps between the shifts of a multi-shift duty).
    A pause of >= `break_full` (45) resets the count, as does a pause of >= `break_split_second`
    (30) that follows an earlier pause of >= `break_split_first` (15) since the last reset.
    The instance gives drive minutes per shift, not their timing, so the measured value is the
    least possible longest driving stretch: the smallest X such that the duty's driving fits into
    its stretches with at most X (and at most the stretch's working minutes) in each. A plan is
    compliant when the driver *can* drive the shift without exceeding `drive_without_break`
    (270) between qualifying breaks; X > 270 is a violation. History periods are not judged.
R5  Daily rest = the gap between a work period's start and the latest end of the driver's
    earlier work periods (history included). A gap below `reduced_daily_rest` (540) is no rest
    but a break inside one duty (a split duty; a negative gap is an overlap, reported by R0).
    A gap in [540, `daily_rest` (660)) is a reduced daily rest, unless it ends a duty that
    already held a gap of >= `split_rest_first` (180): 3 h then 9 h is a regular split rest
    (art. 4(g)), 9 h then 3 h is not. At most `reduced_rests_between_weekly` (3) reduced rests
    between two weekly rests (gaps >= `reduced_weekly_rest`, 1440), over history and plan.
R6  Weekly rest: a gap of >= `reduced_weekly_rest` (1440; a tenant that forbids reduced weekly
    rests sets 2700) is a weekly rest. Between two weekly rests (a "block" of work periods) the
    time from the block's first start to its last end must be <= `weekly_rest_interval` (8640),
    i.e. the next weekly rest starts no later than 8640 minutes after the previous one ended.
    The block still open at the end of the plan is judged too (its rest can only start later).
    `history` is taken as the complete record of the driver's earlier duties: the time before
    its first entry counts as rest. No `history` key: fails closed. Compensation of reduced
    weekly rests (art. 8(6)) is R11's.
R7  Weekly working time: working minutes (span minus breaks; history: whole span) in a local
    week, split at Monday 00:00 local, <= `weekly_work` (3600).
R8  Breaks, Dir. 2002/15/EC art. 5: over a duty, working minutes > `work_needs_first_break`
    (360) need >= `first_break` (30) minutes of pauses, > `work_needs_second_break` (540) need
    >= `second_break` (45); only pauses of >= `min_break_part` (15) minutes count. Pauses are
    the shifts' breaks and the gaps inside a multi-shift duty; history periods are not judged.
R10 Per duty: working minutes (history spans count whole) <= `duty_work` (720); spread (last end
    minus first start) <= `duty_spread` (780).
R11 EU 561/2006 art. 8(6): two weekly rests in any two consecutive weeks, one regular (2700);
    reduced ones compensated before the end of the third week after (`r11_weekly_rests`).
R12 Dir. 2002/15/EC art. 5(1): at most 360 minutes of work in a row (`r12_continuous_work`).
R13 Dir. 2002/15/EC art. 7, AZG: night work => at most 600 working minutes in each 24 h
    (`r13_night_work`; night 00:00-04:00 local, rolling 24 h by default).
R14 Dir. 2002/15/EC art. 4(a), AZG §13b: average week <= 2880 over 17 weeks; fails closed where
    the recorded history (`history_weeks`) does not cover them, unless the tenant opts out
    (`average_requires_history=False`: judged where the history allows, `not_judged`).
The id R9 is unused; ids are permanent (docs/roster.md maps them to the law).

Modules: `check` (entry points: a plan, a driver, a duty, what is not judged), `timelines`
(work periods, duties, working-time intervals), `findings` (rule ids, `Violation`), `limits`,
and one module per family of rules: `assignments` (R0), `driving` (R1-R4), `rest` (R5, R6),
`working_time` (R7, R8, R10, R12, R14), `weekly_rests` (R11), `night` (R13). The package
exports the oracle's interface below; planners import helpers from their modules.
"""

from __future__ import annotations

from cutover.roster.rules.check import check_plan, not_judged
from cutover.roster.rules.findings import MISSING, RULES, VIOLATED, Violation
from cutover.roster.rules.limits import Limits, tenant_limits

__all__ = ["MISSING", "RULES", "VIOLATED", "Limits", "Violation", "check_plan", "not_judged",
           "tenant_limits"]

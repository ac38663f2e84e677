"""The rule limits, with the law's defaults (a tenant's collective agreement may tighten them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Rule limits in minutes (EU 561/2006, Dir. 2002/15/EC, AZG); a tenant may tighten them."""

    allow_cross_site: bool = False
    daily_drive: int = 540
    daily_drive_extended: int = 600
    extended_days_per_week: int = 2
    weekly_drive: int = 3360
    fortnight_drive: int = 5400
    drive_without_break: int = 270
    break_full: int = 45
    break_split_first: int = 15
    break_split_second: int = 30
    daily_rest: int = 660
    reduced_daily_rest: int = 540
    reduced_rests_between_weekly: int = 3
    reduced_weekly_rest: int = 1440
    weekly_rest_interval: int = 8640
    weekly_work: int = 3600
    work_needs_first_break: int = 360
    first_break: int = 30
    work_needs_second_break: int = 540
    second_break: int = 45
    min_break_part: int = 15
    duty_work: int = 720
    duty_spread: int = 780
    # split regular daily rest, 561/2006 art. 4(g): 3 h then 9 h, in that order
    split_rest_first: int = 180
    split_rest_second: int = 540
    # R11, 561/2006 art. 8(6)
    regular_weekly_rest: int = 2700
    compensation_weeks: int = 3
    compensation_attached_rest: int = 540
    # R12, Dir. 2002/15/EC art. 5(1)
    work_without_break: int = 360
    # R13, Dir. 2002/15/EC art. 3(j), art. 7; AZG (night time 00:00-04:00 for drivers)
    night_start: int = 0  # minutes after local midnight
    night_end: int = 240
    night_work_limit: int = 600
    night_period: str = "rolling"  # "rolling": every 1440 elapsed minutes; "duty": per duty
    # R14, Dir. 2002/15/EC art. 4(a); AZG §13b: 17 weeks reference period
    average_week_work: int = 2880
    average_reference_weeks: int = 17
    # True (default): where the recorded history does not cover the 16 weeks before the plan
    # week, R14 fails closed ("missing input", docs/roster.md "Hard rules"); False: the
    # tenant's explicit opt-out, "judged where the history allows" (only a total already over
    # the limit fails, and the figures list R14 under `rules_not_judged`)
    average_requires_history: bool = True


def tenant_limits(*, average_where_history_allows: bool = False) -> Limits:
    """The law's limits with the tenant's explicit R14 opt-out ("judged where the history
    allows" instead of failing closed on missing history), as the gate, the drill and
    `cutover roster validate` take it from their settings or flags."""
    return Limits(average_requires_history=not average_where_history_allows)

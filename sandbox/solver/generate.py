"""Seeded generator of Wien-pilot-like roster instances in the interchange format
(docs/artifacts.md).

The same (drivers, shifts, seed) always gives the same document, in any process: only
`random.Random(seed)` draws numbers and every list is built in a fixed order. Shifts are shaped
so each one is workable on its own (R1, R4, R8, R10 hold for a lone shift), drivers have a site,
C or C+CE licences, a weekly contract, sometimes a day off (`unavailable`) and `history_weeks`
(16) recorded weeks of duties in `history`: the previous week's, some of which run into Sunday,
so rest rules bind at the week start, and Monday-to-Friday weeks before it, so R14's 17-week
average is judged (not failed closed for want of history).
Pilot scale is 50 drivers x 200 shifts; benchmarks use 100 x 450 and 150 x 1000.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cutover.roster.model import Interval, iso, to_minute
from cutover.roster.rules import Limits
from cutover.roster.rules.driving import driving_stretches, least_longest_stretch

# (first start minute of the local day, last start minute, weight) of the shift families
_FAMILIES = ((4 * 60, 6 * 60, 3), (6 * 60, 9 * 60, 4), (12 * 60, 15 * 60, 3), (19 * 60, 21 * 60, 1))
_DURATIONS = ((240, 2), (300, 2), (330, 1), (420, 2), (480, 4), (510, 3), (540, 3), (570, 2),
              (600, 1))
_DAY_WEIGHTS = (10, 10, 10, 10, 10, 6, 4)  # Monday .. Sunday


@dataclass(frozen=True)
class Scale:
    """How big an instance is."""

    drivers: int = 50
    shifts: int = 200


PILOT = Scale(50, 200)


def generate(drivers: int = 50, shifts: int = 200, seed: int = 1, *,
             week_start: str = "2026-01-12", timezone: str = "Europe/Vienna",
             tenant: str = "wien_pilot", history_weeks: int = 16) -> dict[str, Any]:
    """A deterministic instance document with `drivers` drivers and `shifts` shifts.

    The previous week's history draws from the same stream as it always has (so drivers,
    shifts and that week are what they were with one week); the `history_weeks` - 1 weeks
    before it draw from a stream of their own."""
    rng = random.Random(seed)
    tz = ZoneInfo(timezone)
    monday = date.fromisoformat(week_start)
    sites = [f"W{10 * (i + 1)}" for i in range(_site_count(drivers))]
    driver_docs = [_driver(rng, i, sites[i % len(sites)], monday, tz) for i in range(drivers)]
    per_site = [sum(1 for d in driver_docs if d["site"] == s) for s in sites]
    shift_rows = [_shift(rng, _weighted_site(rng, sites, per_site), monday, tz)
                  for _ in range(shifts)]
    shift_rows.sort(key=lambda row: (row[0], row[1]["site"], row[1]["end"]))
    shift_docs = []
    for i, (_, doc) in enumerate(shift_rows, start=1):
        shift_docs.append({"id": f"T{i:04d}", **doc})
    recent = {d["id"]: _history(rng, d["id"], monday, tz) for d in driver_docs}
    older = random.Random(f"{seed}/history")
    history = [h for d in driver_docs
               for h in _older_history(older, d["id"], monday, history_weeks, tz) + recent[d["id"]]]
    return {"tenant": tenant, "week_start": week_start, "timezone": timezone,
            "drivers": driver_docs, "shifts": shift_docs, "absences": [], "history": history,
            "history_weeks": history_weeks}


def _site_count(drivers: int) -> int:
    if drivers < 8:
        return 1
    return max(2, round(drivers / 40))


def _weighted_site(rng: random.Random, sites: list[str], weights: list[int]) -> str:
    return rng.choices(sites, weights=weights)[0]


def _local(day: date, minute_of_day: int, tz: ZoneInfo) -> int:
    """UTC minute `minute_of_day` elapsed minutes after local midnight of `day`."""
    return to_minute(datetime(day.year, day.month, day.day, tzinfo=tz)) + minute_of_day


def _driver(rng: random.Random, i: int, site: str, monday: date, tz: ZoneInfo) -> dict[str, Any]:
    quals = ["C", "CE"] if rng.random() < 0.35 else ["C"]
    contract = rng.choice((2400, 2400, 2400, 2400, 2400, 2400, 2400, 2100, 2100, 1920))
    unavailable = []
    if rng.random() < 0.1:
        day = monday + timedelta(days=rng.randrange(7))
        start = _local(day, 0, tz)
        end = _local(day + timedelta(days=1), 0, tz)
        unavailable.append({"start": iso(start, tz), "end": iso(end, tz)})
    return {"id": f"DRV{i + 1:03d}", "site": site, "qualifications": quals,
            "contract_minutes_week": contract, "unavailable": unavailable}


def _shift(rng: random.Random, site: str, monday: date, tz: ZoneInfo) -> tuple[int, dict[str, Any]]:
    day = monday + timedelta(days=rng.choices(range(7), weights=_DAY_WEIGHTS)[0])
    lo, hi, _ = rng.choices(_FAMILIES, weights=[f[2] for f in _FAMILIES])[0]
    start = _local(day, lo + 15 * rng.randrange((hi - lo) // 15 + 1), tz)
    extended = rng.random() < 0.04
    duration = 690 if extended else rng.choices([d for d, _ in _DURATIONS],
                                                 weights=[w for _, w in _DURATIONS])[0]
    breaks = _breaks(rng, start, duration, extended)
    work = duration - sum(b.minutes for b in breaks)
    if extended:
        drive = 545 + 5 * rng.randrange(12)
    else:
        drive = min(540, 5 * round(work * rng.uniform(0.6, 0.9) / 5))
    drive = _fit_drive(drive, start, duration, breaks)
    doc = {"site": site, "qualification": "CE" if rng.random() < 0.2 else "C",
           "start": iso(start, tz), "end": iso(start + duration, tz), "drive_minutes": drive,
           "breaks": [{"start": iso(b.start, tz), "end": iso(b.end, tz)} for b in breaks]}
    return start, doc


def _breaks(rng: random.Random, start: int, duration: int, extended: bool) -> list[Interval]:
    """Breaks that make a lone shift meet R4 and R8: none, one 45, 15 + 30, or two 45s."""
    if extended:
        return [Interval(start + 225, start + 270), Interval(start + 450, start + 495)]
    if duration <= 330:
        return []
    if rng.random() < 0.25:
        return [Interval(start + 120, start + 135), Interval(start + 270, start + 300)]
    middle = start + 15 * ((duration - 45) // 30)
    return [Interval(middle, middle + 45)]


def _fit_drive(drive: int, start: int, duration: int, breaks: list[Interval]) -> int:
    """Lower the driving until it fits 270 at a time between qualifying breaks."""
    limits = Limits()
    work = []
    cursor = start
    for b in breaks:
        work.append(Interval(cursor, b.start))
        cursor = b.end
    work.append(Interval(cursor, start + duration))
    stretches = driving_stretches(work, limits)
    while least_longest_stretch(drive, stretches) > limits.drive_without_break:
        drive -= 5
    return drive


def _history(rng: random.Random, driver: str, monday: date, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Four or five duties in the previous week, around one start time, with two days off."""
    previous = monday - timedelta(days=7)
    off = rng.randrange(6)
    days = [d for d in range(7) if d not in (off, off + 1)]
    if rng.random() < 0.3:
        days = days[:-1]
    family = rng.choice(_FAMILIES[:3])
    out = []
    for d in days:
        start = _local(previous + timedelta(days=d),
                       family[0] + 15 * rng.randrange((family[1] - family[0]) // 15 + 1), tz)
        duration = rng.choice((420, 480, 510, 540))
        drive = min(duration - 60, 5 * rng.randrange(60, 90))
        out.append({"driver": driver, "start": iso(start, tz), "end": iso(start + duration, tz),
                    "drive_minutes": drive})
    return out


def _older_history(rng: random.Random, driver: str, monday: date, weeks: int,
                   tz: ZoneInfo) -> list[dict[str, Any]]:
    """The weeks before the previous one, oldest first: four or five weekday duties around one
    start time each week, the weekend off (daily rests of at least 12 h, a regular weekly rest
    every weekend, at most 2700 working minutes a week), so they break no rule."""
    out = []
    for back in range(weeks, 1, -1):
        first = monday - timedelta(days=7 * back)
        family = rng.choice(_FAMILIES[:3])
        for d in sorted(rng.sample(range(5), rng.choice((4, 5)))):
            start = _local(first + timedelta(days=d),
                           family[0] + 15 * rng.randrange((family[1] - family[0]) // 15 + 1), tz)
            duration = rng.choice((420, 480, 510, 540))
            drive = min(duration - 60, 5 * rng.randrange(60, 90))
            out.append({"driver": driver, "start": iso(start, tz),
                        "end": iso(start + duration, tz), "drive_minutes": drive})
    return out

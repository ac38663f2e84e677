"""The typed model of the roster interchange format (docs/artifacts.md) and its time arithmetic;
`parse.py` validates documents into it, `load_json` reads one from a file.

Every datetime must carry a UTC offset and be a whole minute; it is kept as an integer count of
UTC minutes since the Unix epoch, so all rule arithmetic is exact integer arithmetic on elapsed
time (a DST night is 60 minutes shorter or longer, as it really is). Local calendar questions
(which week a shift belongs to) go through the instance's IANA timezone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cutover.errors import ConfigError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open span [start, end) in UTC minutes since the epoch."""

    start: int
    end: int

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def overlap(self, other: Interval) -> int:
        """Minutes the two spans share (0 when they only touch)."""
        return max(0, min(self.end, other.end) - max(self.start, other.start))


@dataclass(frozen=True)
class Driver:
    id: str
    site: str
    qualifications: tuple[str, ...]
    contract_minutes_week: int | None
    unavailable: tuple[Interval, ...]
    # whole local weeks before week_start this driver's history records (optional driver key
    # `history_weeks`; None: the instance's); fewer for a driver recorded for a shorter time
    history_weeks: int | None = None


@dataclass(frozen=True)
class Shift:
    id: str
    site: str
    qualification: str
    span: Interval
    drive_minutes: int | None  # None: not given, rules that need it fail closed
    breaks: tuple[Interval, ...] | None  # None: not given; () means "no breaks"

    @property
    def start(self) -> int:
        return self.span.start

    @property
    def end(self) -> int:
        return self.span.end


@dataclass(frozen=True)
class Absence:
    driver: str
    span: Interval
    reason: str


@dataclass(frozen=True)
class HistoryDuty:
    driver: str
    span: Interval
    drive_minutes: int | None


@dataclass(frozen=True)
class Instance:
    tenant: str
    week_start: date
    timezone: str
    drivers: tuple[Driver, ...]
    shifts: tuple[Shift, ...]
    absences: tuple[Absence, ...]
    history: tuple[HistoryDuty, ...] | None  # None: the instance has no `history` key
    # whole local weeks before week_start that `history` records completely (optional key
    # `history_weeks`; default 1, the previous week, as R3 has always assumed)
    history_weeks: int
    driver_by_id: Mapping[str, Driver] = field(repr=False, compare=False)
    shift_by_id: Mapping[str, Shift] = field(repr=False, compare=False)

    @property
    def tz(self) -> tzinfo:
        return ZoneInfo(self.timezone)

    def horizon(self) -> Interval:
        """The instance week: local Monday-of-week_start 00:00 to seven local days later."""
        tz = self.tz
        start = datetime.combine(self.week_start, datetime.min.time(), tzinfo=tz)
        end = datetime.combine(self.week_start + timedelta(days=7), datetime.min.time(), tzinfo=tz)
        return Interval(to_minute(start), to_minute(end))

    def view_start(self) -> int | None:
        """Where the recorded past begins: local Monday 00:00 `history_weeks` weeks back.

        None without `history`: nothing before the instance week is known.
        """
        if self.history is None:
            return None
        return week_start_minute(self.week_start - timedelta(days=7 * self.history_weeks),
                                 self.tz)

    def recorded_weeks(self, driver: str) -> int:
        """Whole weeks before the instance week recorded for `driver`: the instance's
        `history_weeks`, or fewer where the driver's own key says so (never more: weeks the
        instance does not hold cannot be recorded for one driver)."""
        own = self.driver_by_id[driver].history_weeks if driver in self.driver_by_id else None
        return self.history_weeks if own is None else min(own, self.history_weeks)

    def driver_view_start(self, driver: str) -> int | None:
        """Where `driver`'s recorded past begins (`view_start` narrowed to the driver's
        recorded weeks); None without `history`."""
        if self.history is None:
            return None
        weeks = self.recorded_weeks(driver)
        return week_start_minute(self.week_start - timedelta(days=7 * weeks), self.tz)


@dataclass(frozen=True)
class Assignment:
    shift: str
    driver: str


@dataclass(frozen=True)
class Plan:
    tenant: str
    instance_sha256: str
    seed: int
    assignments: tuple[Assignment, ...]
    uncovered: tuple[str, ...]


# ---------------------------------------------------------------------------------------------
# time helpers


def to_minute(moment: datetime) -> int:
    """UTC minutes since the epoch of an aware datetime (exact integer arithmetic)."""
    return (moment - _EPOCH) // _MINUTE


def from_minute(minute: int, tz: tzinfo) -> datetime:
    """The aware local datetime of a UTC minute, for calendar questions and messages."""
    return (_EPOCH + minute * _MINUTE).astimezone(tz)


def week_of(minute: int, tz: tzinfo) -> date:
    """The local Monday of the calendar week (Mon 00:00 - Sun 24:00 local) containing `minute`."""
    local = from_minute(minute, tz).date()
    return local - timedelta(days=local.weekday())


def week_start_minute(monday: date, tz: tzinfo) -> int:
    """UTC minute of local 00:00 on `monday` (the start of its calendar week)."""
    return to_minute(datetime.combine(monday, datetime.min.time(), tzinfo=tz))


def local_minute(day: date, minute_of_day: int, tz: tzinfo) -> int:
    """UTC minute of the local wall-clock time `minute_of_day` minutes after `day` 00:00."""
    wall = datetime.combine(day, datetime.min.time(), tzinfo=tz) + minute_of_day * _MINUTE
    return to_minute(wall)


def iso(minute: int, tz: tzinfo) -> str:
    """ISO 8601 with offset, the interchange spelling of a minute."""
    return from_minute(minute, tz).isoformat()


# ---------------------------------------------------------------------------------------------
# loading


def load_json(path: str | Path) -> dict[str, Any]:
    """Read a JSON object from a file; unreadable or non-object files are a ConfigError."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read file ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: not UTF-8 text") from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise ConfigError(f"{name}: invalid JSON: {exc.msg} ({where})") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"{name}: expected a JSON object at the top level")
    return doc



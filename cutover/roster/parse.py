"""Instance and plan documents of the roster interchange format (docs/artifacts.md) validated
into the typed model (`model.py`).

Anything the rules cannot trust is rejected here with a `ConfigError` whose message is one line
naming the file and the offending element: malformed JSON, missing or mistyped keys, duplicate
ids, intervals that end before they start, breaks outside their shift, drive minutes that do not
fit in the shift, and plans naming unknown shifts or drivers. Inputs that are merely *absent*
(a shift without `drive_minutes` or `breaks`, an instance without `history`) are kept as `None`
so the rules can fail closed on them instead.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cutover.errors import ConfigError
from cutover.roster.model import (
    Absence,
    Assignment,
    Driver,
    HistoryDuty,
    Instance,
    Interval,
    Plan,
    Shift,
    load_json,
    to_minute,
)


def load_instance(path: str | Path) -> Instance:
    """Load and validate an instance file."""
    return parse_instance(load_json(path), str(path))


def load_plan(path: str | Path, instance: Instance) -> Plan:
    """Load and validate a plan file against its instance."""
    return parse_plan(load_json(path), instance, str(path))


class _Reader:
    """Typed access to a JSON document that reports errors as `source: where: what`."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, what: str) -> ConfigError:
        return ConfigError(f"{self.source}: {where}: {what}" if where else f"{self.source}: {what}")

    def obj(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "expected an object")
        return value

    def key(self, obj: Mapping[str, Any], name: str, where: str) -> Any:
        if name not in obj:
            raise self.fail(where, f"missing key '{name}'")
        return obj[name]

    def text(self, obj: Mapping[str, Any], name: str, where: str) -> str:
        value = self.key(obj, name, where)
        if not isinstance(value, str) or not value:
            raise self.fail(where, f"'{name}' must be a non-empty string")
        return value

    def integer(self, value: Any, where: str, name: str, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, f"'{name}' must be an integer, got {json.dumps(value)}")
        if value < minimum:
            raise self.fail(where, f"'{name}' must be >= {minimum}, got {value}")
        return value

    def array(self, value: Any, where: str, name: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, f"'{name}' must be a list")
        return value

    def moment(self, obj: Mapping[str, Any], name: str, where: str) -> int:
        raw = self.key(obj, name, where)
        if not isinstance(raw, str):
            raise self.fail(where, f"'{name}' must be an ISO 8601 datetime string")
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError as exc:
            raise self.fail(where, f"'{name}' is not an ISO 8601 datetime: {raw!r}") from exc
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            raise self.fail(where, f"'{name}' has no UTC offset: {raw!r}")
        if parsed.second or parsed.microsecond:
            raise self.fail(where, f"'{name}' is not a whole minute: {raw!r}")
        return to_minute(parsed)

    def span(self, obj: Mapping[str, Any], where: str) -> Interval:
        start = self.moment(obj, "start", where)
        end = self.moment(obj, "end", where)
        if end <= start:
            raise self.fail(where, "'end' must be after 'start'")
        return Interval(start, end)

    def spans(self, value: Any, where: str, name: str) -> tuple[Interval, ...]:
        items = self.array(value, where, name)
        out = [self.span(self.obj(item, f"{where}.{name}[{i}]"), f"{where}.{name}[{i}]")
               for i, item in enumerate(items)]
        return tuple(sorted(out))


def parse_instance(doc: Mapping[str, Any], source: str = "instance") -> Instance:
    """Validate an instance document and build the typed instance."""
    rd = _Reader(source)
    tenant = rd.text(doc, "tenant", "")
    week_raw = rd.text(doc, "week_start", "")
    try:
        week_start = date.fromisoformat(week_raw)
    except ValueError as exc:
        raise rd.fail("", f"'week_start' is not an ISO date: {week_raw!r}") from exc
    timezone = rd.text(doc, "timezone", "")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise rd.fail("", f"unknown timezone {timezone!r}") from exc
    raw_drivers = rd.array(rd.key(doc, "drivers", ""), "", "drivers")
    drivers = _unique(rd, [_driver(rd, d, i) for i, d in enumerate(raw_drivers)], "driver")
    raw_shifts = rd.array(rd.key(doc, "shifts", ""), "", "shifts")
    shifts = _unique(rd, [_shift(rd, s, i) for i, s in enumerate(raw_shifts)], "shift")
    driver_by_id = {d.id: d for d in drivers}
    absences = tuple(_absence(rd, a, i, driver_by_id) for i, a in
                     enumerate(rd.array(doc.get("absences", []), "", "absences")))
    history_weeks = 1
    if doc.get("history_weeks") is not None:
        history_weeks = rd.integer(doc["history_weeks"], "", "history_weeks")
    history = None
    if "history" in doc:
        history = tuple(_history(rd, h, i, driver_by_id) for i, h in
                        enumerate(rd.array(doc["history"], "", "history")))
    return Instance(
        tenant=tenant, week_start=week_start, timezone=timezone, drivers=drivers, shifts=shifts,
        absences=absences, history=history, history_weeks=history_weeks,
        driver_by_id=driver_by_id,
        shift_by_id={s.id: s for s in shifts},
    )


def _unique(rd: _Reader, items: list[Any], kind: str) -> tuple[Any, ...]:
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise rd.fail("", f"duplicate {kind} id {item.id!r}")
        seen.add(item.id)
    return tuple(items)


def _driver(rd: _Reader, raw: Any, i: int) -> Driver:
    where = f"drivers[{i}]"
    obj = rd.obj(raw, where)
    quals = rd.array(rd.key(obj, "qualifications", where), where, "qualifications")
    if not all(isinstance(q, str) and q for q in quals):
        raise rd.fail(where, "'qualifications' must be a list of non-empty strings")
    contract = obj.get("contract_minutes_week")
    if contract is not None:
        contract = rd.integer(contract, where, "contract_minutes_week")
    weeks = obj.get("history_weeks")
    if weeks is not None:
        weeks = rd.integer(weeks, where, "history_weeks")
    return Driver(
        id=rd.text(obj, "id", where), site=rd.text(obj, "site", where),
        qualifications=tuple(sorted(set(quals))), contract_minutes_week=contract,
        unavailable=rd.spans(obj.get("unavailable", []), where, "unavailable"),
        history_weeks=weeks,
    )


def _shift(rd: _Reader, raw: Any, i: int) -> Shift:
    where = f"shifts[{i}]"
    obj = rd.obj(raw, where)
    sid = rd.text(obj, "id", where)
    where = f"shift {sid}"
    span = rd.span(obj, where)
    breaks = None
    if "breaks" in obj and obj["breaks"] is not None:
        breaks = rd.spans(obj["breaks"], where, "breaks")
        for b in breaks:
            if b.start < span.start or b.end > span.end:
                raise rd.fail(where, "a break lies outside the shift")
        for a, b in itertools.pairwise(breaks):
            if b.start < a.end:
                raise rd.fail(where, "breaks overlap each other")
    drive = obj.get("drive_minutes")
    if drive is not None:
        drive = rd.integer(drive, where, "drive_minutes")
        room = span.minutes - sum(b.minutes for b in breaks or ())
        if drive > room:
            raise rd.fail(where, f"drive_minutes {drive} exceed the {room} minutes outside breaks")
    return Shift(
        id=sid, site=rd.text(obj, "site", where),
        qualification=rd.text(obj, "qualification", where), span=span, drive_minutes=drive,
        breaks=breaks,
    )


def _known_driver(rd: _Reader, obj: Mapping[str, Any], where: str,
                  drivers: Mapping[str, Driver]) -> str:
    driver = rd.text(obj, "driver", where)
    if driver not in drivers:
        raise rd.fail(where, f"unknown driver {driver!r}")
    return driver


def _absence(rd: _Reader, raw: Any, i: int, drivers: Mapping[str, Driver]) -> Absence:
    where = f"absences[{i}]"
    obj = rd.obj(raw, where)
    reason = obj.get("reason", "")
    if not isinstance(reason, str):
        raise rd.fail(where, "'reason' must be a string")
    return Absence(driver=_known_driver(rd, obj, where, drivers), span=rd.span(obj, where),
                   reason=reason)


def _history(rd: _Reader, raw: Any, i: int, drivers: Mapping[str, Driver]) -> HistoryDuty:
    where = f"history[{i}]"
    obj = rd.obj(raw, where)
    span = rd.span(obj, where)
    drive = obj.get("drive_minutes")
    if drive is not None:
        drive = rd.integer(drive, where, "drive_minutes")
        if drive > span.minutes:
            raise rd.fail(where, f"drive_minutes {drive} exceed the {span.minutes} minute duty")
    return HistoryDuty(driver=_known_driver(rd, obj, where, drivers), span=span,
                       drive_minutes=drive)


def parse_plan(doc: Mapping[str, Any], instance: Instance, source: str = "plan") -> Plan:
    """Validate a plan document against its instance (unknown ids are a ConfigError)."""
    rd = _Reader(source)
    tenant = rd.text(doc, "tenant", "")
    if tenant != instance.tenant:
        raise rd.fail("", f"plan is for tenant {tenant!r}, the instance for {instance.tenant!r}")
    instance_sha = rd.text(doc, "instance_sha256", "")
    seed = rd.integer(rd.key(doc, "seed", ""), "", "seed", minimum=-(2**63))
    assignments = []
    for i, raw in enumerate(rd.array(rd.key(doc, "assignments", ""), "", "assignments")):
        where = f"assignments[{i}]"
        obj = rd.obj(raw, where)
        shift = rd.text(obj, "shift", where)
        if shift not in instance.shift_by_id:
            raise rd.fail(where, f"unknown shift {shift!r}")
        driver = rd.text(obj, "driver", where)
        if driver not in instance.driver_by_id:
            raise rd.fail(where, f"unknown driver {driver!r}")
        assignments.append(Assignment(shift=shift, driver=driver))
    uncovered = rd.array(rd.key(doc, "uncovered", ""), "", "uncovered")
    for i, sid in enumerate(uncovered):
        if not isinstance(sid, str):
            raise rd.fail(f"uncovered[{i}]", "must be a shift id string")
        if sid not in instance.shift_by_id:
            raise rd.fail(f"uncovered[{i}]", f"unknown shift {sid!r}")
    if len(set(uncovered)) != len(uncovered):
        raise rd.fail("", "'uncovered' lists a shift more than once")
    return Plan(tenant=tenant, instance_sha256=instance_sha, seed=seed,
                assignments=tuple(assignments), uncovered=tuple(uncovered))

"""Waivers: a reviewed, expiring exception for one object of one check (docs/adding-a-check.md).

Only through a file, never a flag: each waiver names the check id, the object, the
reason, the approver, the date it was written (`created`) and an expiry date. An expired
waiver counts as absent.

Policy (issue 24): a waiver lives at most MAX_DAYS (90) from its `created` date, and a
`created` date in the future is refused, so a waiver cannot be written to last for years;
either is refused when the file is loaded, with one line naming the waiver. A blocker is
never waived by one person: a waiver of a blocker check applies only when it also names a
`second_approver`, a different person; without one it is refused (reported, not applied)
and the blocker keeps failing. Every waiver applied is listed in the gate's verdict
document, and from there on the approval screen and in approval_record.json.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from cutover.errors import ConfigError

REQUIRED = ("check", "object", "reason", "approver", "created", "expires")
MAX_DAYS = 90


@dataclass(frozen=True)
class Waiver:
    """One waiver line of the file."""

    check: str
    object: str
    reason: str
    approver: str
    expires: date
    created: date | None = None
    second_approver: str | None = None

    def active(self, today: date) -> bool:
        return today <= self.expires

    def may_waive(self, severity: str) -> bool:
        """A blocker needs two people: the approver and a named second approver."""
        return severity != "blocker" or bool(self.second_approver)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["expires"] = self.expires.isoformat()
        out["created"] = self.created.isoformat() if self.created else None
        return out


def _date(path: Path, i: int, entry: dict, key: str) -> date:
    value = entry[key]
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"waiver #{i} in {path}: {key} is not a date") from None
    if isinstance(value, datetime):  # TOML datetimes: the day is what counts
        value = value.date()
    if not isinstance(value, date):
        raise ConfigError(f"waiver #{i} in {path}: {key} is not a date")
    return value


def _checked(path: Path, i: int, entry: dict, today: date) -> Waiver:
    """One entry as a Waiver, or ConfigError naming what breaks the policy."""
    created, expires = _date(path, i, entry, "created"), _date(path, i, entry, "expires")
    name = f"waiver #{i} in {path} ({entry['check']} {entry['object']})"
    if created > today:
        raise ConfigError(f"{name}: created {created} is in the future")
    if expires < created:
        raise ConfigError(f"{name}: expires {expires} before it was created ({created})")
    if expires - created > timedelta(days=MAX_DAYS):
        raise ConfigError(f"{name}: expires {expires}, more than {MAX_DAYS} days after it was "
                          f"created ({created}); the longest allowed is "
                          f"{created + timedelta(days=MAX_DAYS)}")
    second = entry.get("second_approver")
    if second is not None and (not str(second).strip() or str(second).strip().casefold()
                               == str(entry["approver"]).strip().casefold()):
        raise ConfigError(f"{name}: second_approver must be another person than approver")
    return Waiver(str(entry["check"]), str(entry["object"]), str(entry["reason"]),
                  str(entry["approver"]), expires, created,
                  str(second).strip() if second is not None else None)


def load(path: Path | None, today: date | None = None) -> list[Waiver]:
    """Parse a waiver file; every malformed entry is a one-line error naming it."""
    if path is None:
        return []
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"waiver file does not exist: {path}")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"waiver file {path} is not valid TOML ({exc})") from None
    waivers = []
    for i, entry in enumerate(data.get("waiver", []), start=1):
        if not isinstance(entry, dict):
            raise ConfigError(f"waiver #{i} in {path} is not a table")
        missing = [k for k in REQUIRED if not entry.get(k)]
        if missing:
            raise ConfigError(f"waiver #{i} in {path} lacks {', '.join(missing)}")
        waivers.append(_checked(path, i, entry, today or date.today()))
    return waivers


def covering(waivers: list[Waiver], check_id: str, obj: str, today: date,
             severity: str = "blocker") -> Waiver | None:
    """The active waiver for this check and object that may waive its severity, if any."""
    for w in waivers:
        if w.check == check_id and w.object == obj and w.active(today) and w.may_waive(severity):
            return w
    return None


def refused(waivers: list[Waiver], check_id: str, obj: str, today: date,
            severity: str) -> Waiver | None:
    """An active waiver for this object that the policy does not let waive it (a blocker
    without a second approver): reported, never applied."""
    for w in waivers:
        if w.check == check_id and w.object == obj and w.active(today) \
                and not w.may_waive(severity):
            return w
    return None

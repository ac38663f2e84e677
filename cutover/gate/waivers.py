"""Waivers: a reviewed, expiring exception for one object of one check (DESIGN §4).

Only through a file, never a flag: each waiver names the check id, the object, the
reason, the approver and an expiry date. An expired waiver counts as absent.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from cutover.errors import ConfigError

REQUIRED = ("check", "object", "reason", "approver", "expires")


@dataclass(frozen=True)
class Waiver:
    """One waiver line of the file."""

    check: str
    object: str
    reason: str
    approver: str
    expires: date

    def active(self, today: date) -> bool:
        return today <= self.expires

    def as_dict(self) -> dict:
        out = asdict(self)
        out["expires"] = self.expires.isoformat()
        return out


def load(path: Path | None) -> list[Waiver]:
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
        missing = [k for k in REQUIRED if not entry.get(k)]
        if missing:
            raise ConfigError(f"waiver #{i} in {path} lacks {', '.join(missing)}")
        expires = entry["expires"]
        if isinstance(expires, str):
            try:
                expires = date.fromisoformat(expires)
            except ValueError:
                raise ConfigError(f"waiver #{i} in {path}: expires is not a date") from None
        if not isinstance(expires, date):
            raise ConfigError(f"waiver #{i} in {path}: expires is not a date")
        waivers.append(Waiver(str(entry["check"]), str(entry["object"]), str(entry["reason"]),
                              str(entry["approver"]), expires))
    return waivers


def covering(waivers: list[Waiver], check_id: str, obj: str, today: date) -> Waiver | None:
    """The active waiver for this check and object, if any."""
    for w in waivers:
        if w.check == check_id and w.object == obj and w.active(today):
            return w
    return None

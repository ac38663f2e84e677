"""Findings of the oracle: rule ids, the violation record and how one is made."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from cutover.roster.rules.timelines import Period

RULES = ("R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R10", "R11", "R12", "R13", "R14")


MISSING = "missing input"


VIOLATED = "violated"


@dataclass(frozen=True)
class Violation:
    """One broken rule: which, whose, which planned shifts, the measured value and the limit."""

    rule: str
    driver: str | None
    shifts: tuple[str, ...]
    measured: int | None
    limit: int | None
    reason: str
    message: str

    def to_dict(self) -> dict[str, object]:
        doc = asdict(self)
        doc["shifts"] = list(self.shifts)
        return doc

    def sort_key(self) -> tuple[int, str, tuple[str, ...], str]:
        return (RULES.index(self.rule), self.driver or "", self.shifts, self.message)


def planned_ids(items: Iterable[Period | str]) -> tuple[str, ...]:
    """Sorted planned shift ids among periods (history has none) and plain ids."""
    ids = {x if isinstance(x, str) else x.shift for x in items}
    return tuple(sorted(i for i in ids if i is not None))


def fail(rule: str, driver: str | None, items: Iterable[Period | str], measured: int | None,
       limit: int | None, message: str, reason: str = VIOLATED) -> Violation:
    return Violation(rule, driver or None, planned_ids(items), measured, limit, reason, message)

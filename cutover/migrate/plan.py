"""Comparing the files on disk with the ledger: what is applied, pending, edited or missing.

Both `migrate` and `migrate status` judge drift the same way, so the refusal a runner
gives and the state a status shows can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cutover.errors import ConfigError
from cutover.migrate.files import Migration, version_key
from cutover.migrate.ledger import LedgerRow


@dataclass
class Plan:
    """The state of one database against one migrations directory."""

    files: list[Migration]
    applied: dict[str, LedgerRow]
    pending: list[Migration] = field(default_factory=list)
    edited: list[tuple[Migration, LedgerRow]] = field(default_factory=list)
    missing: list[LedgerRow] = field(default_factory=list)
    out_of_order: list[Migration] = field(default_factory=list)

    @property
    def drift(self) -> list[str]:
        """One line per drift problem, each naming the file."""
        lines = [
            f"{m.path.name} was edited after it was applied "
            f"(ledger sha256 {row.sha256[:12]}…, file sha256 {m.sha256[:12]}…)"
            for m, row in self.edited
        ]
        lines += [
            f"{row.name}.sql is in the ledger but not in the directory" for row in self.missing
        ]
        lines += [
            f"{m.path.name} is pending but sorts before the applied head {self.head}"
            for m in self.out_of_order
        ]
        return lines

    @property
    def head(self) -> str | None:
        """Last applied file by version order."""
        if not self.applied:
            return None
        return self.applied[max(self.applied, key=version_key)].name

    def upto(self, target: str | None) -> list[Migration]:
        """Pending files up to and including `target` (a version or a file name)."""
        if target is None:
            return list(self.pending)
        wanted = target.removesuffix(".sql")
        names = {m.version: m for m in self.files} | {m.name: m for m in self.files}
        if wanted not in names:
            raise ConfigError(f"--target {target} names no migration file")
        limit = names[wanted].sort_key
        return [m for m in self.pending if m.sort_key <= limit]


def build_plan(files: list[Migration], applied: dict[str, LedgerRow]) -> Plan:
    """Classify every file and ledger row."""
    plan = Plan(files=files, applied=applied)
    by_version = {m.version: m for m in files}
    for version, row in applied.items():
        m = by_version.get(version)
        if m is None:
            plan.missing.append(row)
        elif m.sha256 != row.sha256:
            plan.edited.append((m, row))
    head_key = version_key(max(applied, key=version_key)) if applied else None
    for m in files:
        if m.version in applied:
            continue
        if head_key is not None and m.sort_key < head_key:
            plan.out_of_order.append(m)
        else:
            plan.pending.append(m)
    return plan

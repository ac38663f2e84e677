"""Discovering migration files: names, order, checksums and per-file directives.

Order is by number then letter (`025 < 025a < 025b < 026`), never by plain string
sort, and a file that does not follow the naming rule is refused by name rather than
silently skipped: a skipped hardening file is exactly the failure this tool exists
to prevent.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cutover import home
from cutover.errors import ConfigError
from cutover.migrate.sqlsplit import Statement, split_statements

NAME_RE = re.compile(r"^(?P<num>\d{3})(?P<letter>[a-z]?)_(?P<slug>[a-z0-9][a-z0-9_]*)\.sql$")
VERIFY_SUFFIX = ".verify.sql"
NO_TRANSACTION = re.compile(r"^--\s*cutover:\s*no-transaction\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Migration:
    """One migration file as read from disk."""

    version: str  # "025a"
    name: str  # "025a_rls_hardening"
    path: Path
    sha256: str
    text: str
    transactional: bool
    verify_path: Path | None

    @property
    def sort_key(self) -> tuple[int, str]:
        """Number first, then letter: '025' < '025a' < '026'."""
        return version_key(self.version)

    def statements(self) -> list[Statement]:
        """The file's statements with their line numbers."""
        return split_statements(self.text, source=self.path.name)


def version_key(version: str) -> tuple[int, str]:
    """Sort key of a version string such as '025a'."""
    return int(version[:3]), version[3:]


def parse_name(filename: str) -> tuple[str, str] | None:
    """(version, name) of a migration file name, or None if it is not one."""
    m = NAME_RE.match(filename)
    if not m:
        return None
    return m["num"] + m["letter"], filename[: -len(".sql")]


def read_migration(path: Path) -> Migration:
    """Read one file: raw-byte checksum, UTF-8 text, directives, sibling verify script."""
    parsed = parse_name(path.name)
    if parsed is None:
        raise ConfigError(
            f"malformed migration file name: {path.name} (expected NNN[a-z]_name.sql)"
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path.name} is not valid UTF-8 (byte {exc.start})") from None
    verify = path.with_name(parsed[1] + VERIFY_SUFFIX)
    migration = Migration(
        version=parsed[0], name=parsed[1], path=path, sha256=hashlib.sha256(raw).hexdigest(),
        text=text, transactional=not NO_TRANSACTION.search(text),
        verify_path=verify if verify.exists() else None,
    )
    if not migration.transactional:
        _check_non_transactional(migration)
    return migration


def _check_non_transactional(m: Migration) -> None:
    """A file outside a transaction must be one idempotent statement, or a rerun breaks it."""
    statements = m.statements()
    if len(statements) != 1:
        raise ConfigError(
            f"{m.path.name} is declared no-transaction but holds {len(statements)} statements "
            "(it must hold exactly one)"
        )
    names = [t.name for t in statements[0].tokens]
    idempotent = any(a == "IF_P" and b in ("EXISTS", "NOT") for a, b in itertools.pairwise(names))
    if not idempotent:
        raise ConfigError(
            f"{m.path.name} is declared no-transaction but its statement is not idempotent "
            "(use IF NOT EXISTS / IF EXISTS so a re-run after an interruption is safe)"
        )


def discover(directory: Path) -> list[Migration]:
    """All migrations in `directory`, ordered; clear errors for anything malformed."""
    directory = Path(directory)
    if not directory.exists():
        raise ConfigError(f"migrations directory does not exist: {directory}")
    if not directory.is_dir():
        raise ConfigError(f"migrations directory is not a directory: {directory}")
    migrations: list[Migration] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix != ".sql" or path.name.endswith(VERIFY_SUFFIX):
            continue
        migration = read_migration(path)
        if migration.version in seen:
            raise ConfigError(
                f"two migrations share version {migration.version}: "
                f"{seen[migration.version]}.sql and {path.name}"
            )
        seen[migration.version] = migration.name
        migrations.append(migration)
    if not migrations:
        raise ConfigError(f"no migration files (NNN[a-z]_name.sql) in {directory}")
    return sorted(migrations, key=lambda m: m.sort_key)


def default_directory() -> Path:
    """SOLVEREIGN_MIGRATIONS_DIR, else the repository's migrations folder (a checkout)."""
    configured = os.environ.get("SOLVEREIGN_MIGRATIONS_DIR")
    return Path(configured) if configured else home.root() / "migrations"  # checkout or wheel

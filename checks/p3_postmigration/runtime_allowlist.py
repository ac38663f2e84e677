"""The reviewed allowlist of the runtime roles (checks/allowlist/runtime_privileges.toml).

What the api and platform roles are meant to hold lives in the repository, reviewed and
versioned, never in the target: PM-024 (memberships), PM-025 (effective privileges) and
PM-017 (preset settings) compare the live catalog with it and fail on anything it does not
name. The file is parsed here and handed to the checks' SQL as query parameters (parallel
text arrays), so the SQL stays in its `.sql` files and no value is spliced into it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cutover.errors import ConfigError

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "allowlist" / "runtime_privileges.toml"
RUNTIME_ROLES = ("solvereign_api", "solvereign_platform")
_RELATION = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER",
             "MAINTAIN")
PRIVILEGES: dict[str, tuple[str, ...]] = {
    "table": _RELATION,
    "view": _RELATION,
    "materialized view": _RELATION,
    "foreign table": _RELATION,
    "column": ("SELECT", "INSERT", "UPDATE", "REFERENCES"),
    "sequence": ("USAGE", "SELECT", "UPDATE"),
    "function": ("EXECUTE",),
    "schema": ("USAGE", "CREATE"),
    "database": ("CONNECT", "CREATE", "TEMPORARY"),
    "large object": ("SELECT", "UPDATE"),
}
TOP_LEVEL = {"version", "privilege", "membership", "harmless_settings"}


@dataclass(frozen=True)
class Grant:
    """One allowlisted privilege of one role on one object."""

    role: str
    kind: str
    object: str
    privilege: str


@dataclass
class RuntimeAllowlist:
    """The parsed file: privileges, memberships and settings that may be preset."""

    path: Path
    grants: list[Grant] = field(default_factory=list)
    memberships: list[tuple[str, str]] = field(default_factory=list)
    harmless_settings: list[str] = field(default_factory=list)

    def privilege_params(self) -> dict[str, list[str]]:
        """PM-025's parameters: one array element per (role, kind, object, privilege)."""
        return {"a_role": [g.role for g in self.grants], "a_kind": [g.kind for g in self.grants],
                "a_object": [g.object for g in self.grants],
                "a_priv": [g.privilege for g in self.grants]}

    def membership_params(self) -> dict[str, list[str]]:
        """PM-024's parameters: the allowlisted (runtime role, group) pairs."""
        return {"m_role": [r for r, _ in self.memberships],
                "m_group": [g for _, g in self.memberships]}

    def setting_params(self) -> dict[str, list[str]]:
        """PM-017's parameters: setting names (lower case) that may be preset."""
        return {"harmless": list(self.harmless_settings)}


def _text(entry: dict, key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _role(entry: dict, where: str) -> str:
    role = _text(entry, "role", where)
    if role not in RUNTIME_ROLES:
        raise ConfigError(f"{where}: role {role!r} is not a runtime role "
                          f"({', '.join(RUNTIME_ROLES)})")
    return role


def _tables(entries: object, where: str, name: str) -> Iterator[tuple[str, dict]]:
    """The entries of an `[[name]]` array with where each stands, or one line naming the
    first that is not a table (both sections of the file are read the same way)."""
    if not isinstance(entries, list):
        raise ConfigError(f"{where}: '{name}' must be an array of tables ([[{name}]])")
    for i, entry in enumerate(entries, start=1):
        here = f"{where}: {name} #{i}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{here} is not a table")
        yield here, entry


def _grants(entries: object, where: str) -> list[Grant]:
    """Each [[privilege]] entry: role, kind, object, privileges (a list), why."""
    grants = []
    for here, entry in _tables(entries, where, "privilege"):
        role, kind = _role(entry, here), _text(entry, "kind", here)
        obj = _text(entry, "object", here)
        _text(entry, "why", here)
        if kind not in PRIVILEGES:
            raise ConfigError(f"{here} ({obj}): kind {kind!r} is not one of "
                              f"{', '.join(PRIVILEGES)}")
        privileges = entry.get("privileges")
        if not isinstance(privileges, list) or not privileges:
            raise ConfigError(f"{here} ({obj}): 'privileges' must be a non-empty list")
        for priv in privileges:
            if priv not in PRIVILEGES[kind]:
                raise ConfigError(f"{here} ({obj}): {priv!r} is not a privilege of a {kind} "
                                  f"({', '.join(PRIVILEGES[kind])})")
            grants.append(Grant(role, kind, obj, priv))
    return grants


def _memberships(entries: object, where: str) -> list[tuple[str, str]]:
    """Each [[membership]] entry: role, group, why."""
    pairs = []
    for here, entry in _tables(entries, where, "membership"):
        _text(entry, "why", here)
        pairs.append((_role(entry, here), _text(entry, "group", here)))
    return pairs


def _settings(table: object, where: str) -> list[str]:
    """[harmless_settings]: name = "why it changes no security behaviour"."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: 'harmless_settings' must be a table of name = \"why\"")
    bad = [k for k, v in table.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        raise ConfigError(f"{where}: harmless_settings without a reason: {', '.join(bad)}")
    return sorted(k.lower() for k in table)


def load(path: Path = DEFAULT_PATH) -> RuntimeAllowlist:
    """Parse and validate the file; anything malformed is one ConfigError naming it."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except OSError as exc:
        raise ConfigError(f"runtime allowlist {path} unreadable: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"runtime allowlist {path} is not valid TOML ({exc})") from None
    where = f"runtime allowlist {path}"
    unknown = sorted(set(data) - TOP_LEVEL)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)} "
                          f"(expected {', '.join(sorted(TOP_LEVEL))})")
    if data.get("version") != 1:
        raise ConfigError(f"{where}: 'version' must be 1")
    return RuntimeAllowlist(Path(path), _grants(data.get("privilege", []), where),
                            _memberships(data.get("membership", []), where),
                            _settings(data.get("harmless_settings", {}), where))


def load_or_fail(path: Path = DEFAULT_PATH) -> RuntimeAllowlist:
    """For a check: a broken allowlist fails the check with one line, never a traceback
    (and never a pass: without the reviewed list nothing can be judged)."""
    try:
        return load(path)
    except ConfigError as exc:
        pytest.fail(str(exc), pytrace=False)

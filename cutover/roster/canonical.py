"""Canonical JSON and SHA-256 of plans and instances (docs/artifacts.md).

A plan's canonical form keeps only the five interchange keys (`tenant`, `instance_sha256`,
`seed`, `assignments`, `uncovered`), so a producer's timestamps or comments never change the
hash; assignments are reduced to `{"driver", "shift"}` and sorted by shift id (then driver),
`uncovered` is sorted. An instance's canonical form is the whole document with its entity lists
sorted (drivers and shifts by id, absences and history by driver, start, end) so list order in
the file does not matter. Both are serialised with sorted keys, no whitespace and ASCII escapes;
a float anywhere is refused, because its spelling is not stable across producers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from cutover.errors import ConfigError

PLAN_KEYS = ("assignments", "instance_sha256", "seed", "tenant", "uncovered")


def dumps_canonical(doc: Any) -> bytes:
    """Serialise deterministically: sorted keys, compact separators, ASCII, no floats."""
    _refuse_floats(doc, "$")
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False).encode("ascii")


def _refuse_floats(value: Any, where: str) -> None:
    if isinstance(value, float):
        raise ConfigError(f"canonical JSON: float at {where} ({value!r}); use integer minutes")
    if isinstance(value, Mapping):
        for key in sorted(value):
            _refuse_floats(value[key], f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _refuse_floats(item, f"{where}[{i}]")


def canonical_plan(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical plan document: interchange keys only, assignments and uncovered sorted."""
    missing = [k for k in PLAN_KEYS if k not in plan]
    if missing:
        raise ConfigError(f"canonical plan: missing key(s) {', '.join(missing)}")
    assignments = [{"driver": a["driver"], "shift": a["shift"]} for a in plan["assignments"]]
    assignments.sort(key=lambda a: (a["shift"], a["driver"]))
    return {
        "assignments": assignments,
        "instance_sha256": plan["instance_sha256"],
        "seed": plan["seed"],
        "tenant": plan["tenant"],
        "uncovered": sorted(plan["uncovered"]),
    }


def plan_bytes(plan: Mapping[str, Any]) -> bytes:
    """The canonical bytes of a plan (what is hashed and what the solver writes)."""
    return dumps_canonical(canonical_plan(plan))


def plan_sha256(plan: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the canonical plan."""
    return hashlib.sha256(plan_bytes(plan)).hexdigest()


def _by(*keys: str) -> Any:
    return lambda item: tuple(str(item.get(k, "")) if isinstance(item, Mapping) else ""
                              for k in keys)


def canonical_instance(instance: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical instance document: entity lists sorted, everything else as given."""
    doc = dict(instance)
    for name, keys in (("drivers", ("id",)), ("shifts", ("id",)),
                       ("absences", ("driver", "start", "end")),
                       ("history", ("driver", "start", "end"))):
        if isinstance(doc.get(name), list):
            doc[name] = sorted(doc[name], key=_by(*keys))
    return doc


def instance_bytes(instance: Mapping[str, Any]) -> bytes:
    """The canonical bytes of an instance."""
    return dumps_canonical(canonical_instance(instance))


def instance_sha256(instance: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the canonical instance."""
    return hashlib.sha256(instance_bytes(instance)).hexdigest()

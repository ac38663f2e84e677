"""Path templates of the app's routes, from its own OpenAPI document.

The guard (faults by route, 404/405 pass-through) and the metrics (route label) need the
template a request path belongs to before or without routing. Reading it from the published
document keeps them independent of the web framework's router internals, and means the
labels are exactly the paths the gate enumerates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.routing import compile_path

EXTRA = {"/openapi.json": ("GET",), "/docs": ("GET",)}


@dataclass(frozen=True)
class Entry:
    template: str
    regex: re.Pattern[str]
    methods: frozenset[str]


class RouteTable:
    """Lazily built from `app.openapi()` on first use (the app is complete by then)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._entries: list[Entry] | None = None

    def _build(self) -> list[Entry]:
        paths: dict[str, set[str]] = {k: set(v) for k, v in EXTRA.items()}
        for template, operations in self.app.openapi().get("paths", {}).items():
            paths.setdefault(template, set()).update(m.upper() for m in operations)
        entries = []
        for template, methods in sorted(paths.items()):
            if "GET" in methods:
                methods.add("HEAD")
            entries.append(Entry(template, compile_path(template)[0], frozenset(methods)))
        # literal segments win over parameters, as in the router: fewer braces first
        return sorted(entries, key=lambda e: (e.template.count("{"), e.template))

    def match(self, method: str, path: str) -> tuple[str | None, bool]:
        """(template, whether `method` is allowed on it); (None, False) for an unknown path."""
        if self._entries is None:
            self._entries = self._build()
        for entry in self._entries:
            if entry.regex.match(path):
                return entry.template, method.upper() in entry.methods
        return None, False

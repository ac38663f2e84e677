"""The platform a rehearsal drives: an interface the library owns, the sandbox implements.

The library never imports the sandbox (docs/README.md, "Layout"): the command layer
(`cutover rehearse`, the soak) passes the sandbox's provider in, so the rehearsal's steps
know only what a platform offers — role URLs, the environment a tool needs, its API, a
redeploy — and nothing of how the stand-in is built.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

Log = Callable[[str], None]


class Platform(Protocol):
    """A running platform: a database with its LOGIN roles and an HTTP API."""

    @property
    def kind(self) -> str:
        """What the platform is, as the evidence names it: "sandbox" (a stand-in this tool
        started) or "staging target" (one it was given by URL)."""

    @property
    def api_url(self) -> str | None:
        """The API's base URL, once it runs."""

    def environment(self) -> dict[str, str]:
        """The SOLVEREIGN_* variables a gate run, a script or the API needs."""

    def url(self, role: str) -> str:
        """The platform database's URL as one of its LOGIN roles."""

    def secrets(self) -> list[str]:
        """Every password the platform holds: masked wherever a tool prints."""

    def restart_api(self) -> str:
        """Redeploy the API in place (the rollback's hook); its new base URL."""

    def reload(self) -> None:
        """Re-read the platform's state after another process redeployed it."""


class PlatformProvider(Protocol):
    """Starts a platform in a folder of its own and stops whatever runs there."""

    def up(self, root: Path, *, profile: str, log: Log) -> Platform:
        """Start a pre-cutover platform (schema 001..024, seeded) with its API."""

    def down(self, root: Path) -> None:
        """Stop what `up` started in `root`, even if `up` failed halfway."""

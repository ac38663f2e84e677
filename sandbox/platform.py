"""The sandbox as the rehearsal's platform (cutover.runbook.platform's provider).

The library owns the interface and never imports this module; `cutover rehearse` and the
soak pass `SandboxProvider()` in.
"""

from __future__ import annotations

from pathlib import Path

from cutover.runbook.platform import Log
from sandbox import api_server, manage


class SandboxPlatform:
    """A running sandbox: its saved state, seen through the Platform interface."""

    def __init__(self, root: Path, state: manage.SandboxState) -> None:
        self.root, self.state = root, state

    kind = "sandbox"

    @property
    def api_url(self) -> str | None:
        return self.state.api_url

    def environment(self) -> dict[str, str]:
        return self.state.environment()

    def url(self, role: str) -> str:
        return self.state.url(role)

    def secrets(self) -> list[str]:
        return list(self.state.passwords.values())

    def restart_api(self) -> str:
        return str(api_server.restart_api(self.state)[0])

    def reload(self) -> None:
        """A redeploy in another process (`cutover sandbox redeploy`) saved the API's
        new pid and URL in the state file."""
        self.state = manage.SandboxState.load(self.root) or self.state


class SandboxProvider:
    """Starts the embedded stand-in platform: cluster, roles, schema 001..024, seed, API,
    on the PostgreSQL binaries in `pg_bin` (None: the pgserver wheel)."""

    def __init__(self, pg_bin: Path | None = None) -> None:
        self.pg_bin = pg_bin

    def up(self, root: Path, *, profile: str, log: Log) -> SandboxPlatform:
        state = manage.up(root, at="pre", log=log, profile=profile, pg_bin=self.pg_bin)
        manage.start_api(state, log=log)
        return SandboxPlatform(root, state)

    def down(self, root: Path) -> None:
        manage.down(root)

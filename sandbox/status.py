"""`cutover sandbox status`: where the sandbox runs, its PostgreSQL, schema and API.

Read through the migrator's login as any client would; the sandbox's saved state
(sandbox.state) says where to look.
"""

from __future__ import annotations

from pathlib import Path

from cutover.migrate import ledger
from cutover.pg.connect import connect
from cutover.pg.url import mask_url
from sandbox.state import SandboxState


def describe(root: Path) -> list[str] | None:
    """The status lines of the sandbox in `root` (password masked); None: no sandbox there."""
    state = SandboxState.load(root)
    if state is None:
        return None
    url = state.url("solvereign_migrator")
    with connect(url) as conn:
        head = ledger.head(conn)
        version = conn.execute("SHOW server_version").fetchone()[0]
    return [f"sandbox:  {state.root}",
            f"database: {mask_url(url)} (PostgreSQL {version})",
            f"schema:   {state.at}, ledger head {head}",
            f"api:      {state.api_url or 'not started'}"]

"""Platform databases for tests: provisioned templates and cheap copies of them."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cutover.pg.url import with_database
from sandbox.manage import SandboxState, ensure_evidence_keys

REPO = Path(__file__).resolve().parents[1]


@dataclass
class PlatformDB:
    """A SOLVEREIGN database on the test cluster, with URLs per role and its settings."""

    admin_url: str  # superuser, database `postgres`
    dbname: str
    passwords: dict[str, str]
    hmac_secret: str
    workdir: Path
    session_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    # the session cluster's binaries (tests/conftest.py): its client tools are exported too
    pg_bin: str | None = field(default_factory=lambda: os.environ.get("SOLVEREIGN_PG_BIN"))

    def state(self) -> SandboxState:
        """The same settings a sandbox of this database would export."""
        return SandboxState(root=str(self.workdir), admin_url=self.admin_url,
                            dbname=self.dbname, at="test", passwords=self.passwords,
                            session_secret=self.session_secret, hmac_secret=self.hmac_secret,
                            pg_bin=self.pg_bin)

    def url(self, role: str = "solvereign_migrator") -> str:
        if role == "postgres":
            return with_database(self.admin_url, self.dbname)
        return self.state().url(role)

    def env(self, **overrides: str) -> dict[str, str]:
        """A process environment pointing every SOLVEREIGN_* setting at this database
        (exactly what `cutover sandbox up` exports, plus a backup folder)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
        ensure_evidence_keys(self.workdir)  # the bundle's signing pair, as a sandbox has
        env.update(self.state().environment())
        env["SOLVEREIGN_BACKUP_DIR"] = str(self.workdir / "backups")
        env.update(overrides)
        return env

    def secrets(self) -> list[str]:
        """Every secret value, for scanning outputs."""
        return [*self.passwords.values(), self.hmac_secret, self.session_secret]


def run_gate(db: PlatformDB, *paths: str, marker: str, env: dict[str, str] | None = None,
             extra: tuple[str, ...] = ()) -> tuple[subprocess.CompletedProcess, dict]:
    """Run the gate on `paths` against `db` in a subprocess; returns (process, verdict JSON)."""
    import json

    out = db.workdir / f"gate-{secrets.token_hex(4)}.json"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *paths, "-m", marker, "--gate-result", str(out),
         "-p", "no:randomly", "-q", "--no-header", *extra],
        cwd=REPO, env=env or db.env(), capture_output=True, text=True, timeout=600, check=False)
    result = json.loads(out.read_text()) if out.exists() else {}
    return proc, result


def statuses(result: dict) -> dict[str, str]:
    """check id → status of a gate verdict document."""
    return {c["check_id"]: c["status"] for c in result.get("checks", [])}

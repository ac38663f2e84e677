"""The sandbox's saved state (`sandbox.json`): where it runs and how to authenticate.

Both the provisioning (`sandbox.manage`) and the API launcher (`sandbox.api_server`) read
it; it depends on neither, so neither depends on the other through it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cutover.evidence import keys as evidence_keys
from cutover.pg.embedded import bin_path
from cutover.pg.url import role_url, with_database
from sandbox.bootstrap import MANAGED_ADMIN

STATE_FILE = "sandbox.json"
EVIDENCE_KEYS = "evidence-keys"
DEFAULT_SEED = 94


@dataclass
class SandboxState:
    """Everything a gate run needs to find and authenticate to the sandbox."""

    root: str
    admin_url: str
    dbname: str
    at: str
    passwords: dict[str, str]
    session_secret: str
    hmac_secret: str
    seed: int = DEFAULT_SEED
    api_url: str | None = None
    api_pid: int | None = None
    extra: dict[str, str] = field(default_factory=dict)
    profile: str = "superuser"
    pg_bin: str | None = None  # the server's PostgreSQL bin folder (None: the pgserver wheel)

    def url(self, role: str) -> str:
        """URL of the platform database as one of the LOGIN roles."""
        return role_url(self.admin_url, role, self.passwords[role], self.dbname)

    def admin_db_url(self) -> str:
        """The URL exported as SOLVEREIGN_ADMIN_DB_URL (CREATE DATABASE, the rename swap):
        the cluster superuser, or on the managed profile the managed admin login, which is
        the migrator (CREATEDB CREATEROLE, no superuser) - the cluster superuser's URL is
        never exported there."""
        if self.profile == "managed":
            return self.url(MANAGED_ADMIN)
        return with_database(self.admin_url, self.dbname)

    def environment(self) -> dict[str, str]:
        """The variables a gate run, a script or the API needs (printed for eval)."""
        env = {
            "SOLVEREIGN_DB_URL": self.url("solvereign_migrator"),
            "SOLVEREIGN_ADMIN_DB_URL": self.admin_db_url(),
            "SOLVEREIGN_API_DB_URL": self.url("solvereign_api"),
            "SOLVEREIGN_PLATFORM_DB_URL": self.url("solvereign_platform"),
            "SOLVEREIGN_BACKUP_DB_URL": self.url("solvereign_backup"),
            "SOLVEREIGN_ENV": "development",
            "SOLVEREIGN_SESSION_SECRET": self.session_secret,
            "SOLVEREIGN_HMAC_SECRET": self.hmac_secret,
            "SOLVEREIGN_SANDBOX_DIR": self.root,
            "SOLVEREIGN_CONFIG_STORE_FILE": str(Path(self.root) / "config-store.json"),
            "SOLVEREIGN_PG_BIN": self.pg_bin or str(bin_path()),
        }
        if self.api_url:
            env["SOLVEREIGN_API_URL"] = self.api_url
        keys = Path(self.root) / EVIDENCE_KEYS
        if (keys / evidence_keys.KEY_FILE).exists():  # its own pair, never the HMAC secret
            env[evidence_keys.SIGNING_KEY_VAR] = str(keys / evidence_keys.KEY_FILE)
            env[evidence_keys.PUBLIC_KEY_VAR] = str(keys / evidence_keys.PUB_FILE)
        env.update(self.extra)
        return env

    def save(self) -> None:
        """Write the state with mode 0600: it holds passwords."""
        path = Path(self.root) / STATE_FILE
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(asdict(self), fh, indent=2, sort_keys=True)

    @classmethod
    def load(cls, root: Path) -> SandboxState | None:
        """The saved state of a sandbox in `root`, or None."""
        path = Path(root) / STATE_FILE
        if not path.exists():
            return None
        return cls(**json.loads(path.read_text()))


def default_root() -> Path:
    """SOLVEREIGN_SANDBOX_DIR, else ./.sandbox."""
    return Path(os.environ.get("SOLVEREIGN_SANDBOX_DIR") or ".sandbox").resolve()



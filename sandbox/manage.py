"""Provisioning the sandbox platform: cluster, roles, database, schema, seed, secrets.

`cutover sandbox up` and the test fixtures both call `provision`, so the sandbox a
user rehearses on and the databases the tests break are built the same way.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import shutil
import sys
from pathlib import Path

from cutover.errors import ConfigError
from cutover.evidence import keys as evidence_keys
from cutover.migrate.files import default_directory, discover, version_key
from cutover.migrate.runner import RunnerOptions, migrate
from cutover.pg.connect import connect
from cutover.pg.embedded import EmbeddedCluster
from cutover.pg.url import role_url, with_database
from sandbox.bootstrap import (
    MANAGED_ADMIN,
    bootstrap_managed,
    bootstrap_roles,
    create_managed_database,
    create_platform_database,
)
from sandbox.state import DEFAULT_SEED, EVIDENCE_KEYS, STATE_FILE, SandboxState

DBNAME = "solvereign"
PRE_CUTOVER_LAST = "024"  # the schema as it stood before the cutover: 001..024
PROFILES = ("superuser", "managed")  # managed: no superuser URL leaves the sandbox


def target_for(at: str, directory: Path) -> str | None:
    """The migration to stop at for `pre` (last before 025) or `latest` (None: all)."""
    if at == "latest":
        return None
    if at != "pre":
        raise ConfigError(f"--at must be pre or latest (got {at!r})")
    pre = [m for m in discover(directory) if version_key(m.version) <= (24, "~")]
    if not pre:
        raise ConfigError(f"no pre-cutover migrations (001..024) in {directory}")
    return pre[-1].name


def provision(admin_url: str, dbname: str, at: str, *, passwords: dict[str, str],
              seed: int = DEFAULT_SEED, hmac_secret: str, scale: object | None = None,
              directory: Path | None = None, log=None, profile: str = "superuser") -> None:
    """Create `dbname`, migrate it as the migrator to `at`, and load the seed data.
    On the managed profile the managed admin (the migrator) creates, so owns, the database.
    The seed stands for the data already in production: it is loaded by the bootstrap."""
    directory = directory or default_directory()
    if profile == "managed":
        create_managed_database(role_url(admin_url, MANAGED_ADMIN, passwords[MANAGED_ADMIN],
                                         "postgres"), dbname)
    else:
        create_platform_database(admin_url, dbname)
    migrator = role_url(admin_url, "solvereign_migrator", passwords["solvereign_migrator"],
                        dbname)
    migrate(migrator, directory, RunnerOptions(target=target_for(at, directory)), log=log)
    load_seed(with_database(admin_url, dbname), seed, hmac_secret, scale)


def load_seed(admin_db_url: str, seed: int, hmac_secret: str, scale: object | None = None):
    """Generate and load the deterministic seed; returns it (clear API keys in memory only)."""
    from sandbox import seed as seedmod

    data = seedmod.generate(seed, scale or seedmod.PILOT_SCALE, hmac_secret=hmac_secret.encode())
    with connect(admin_db_url, autocommit=False) as conn:
        seedmod.load(conn, data)
        conn.commit()
    return data


def ensure_evidence_keys(root: Path) -> Path:
    """The sandbox's evidence signing pair (made once), so a runbook run by hand against
    it can seal its bundle; a real cutover brings its own (`cutover evidence keygen`)."""
    folder = Path(root) / EVIDENCE_KEYS
    if not (folder / evidence_keys.KEY_FILE).exists():
        evidence_keys.generate(folder)
    return folder


def up(root: Path, at: str = "pre", seed: int = DEFAULT_SEED, log=None,
       profile: str = "superuser", pg_bin: Path | None = None) -> SandboxState:
    """Start (or reuse) the sandbox in `root` at the requested schema state and profile,
    on the PostgreSQL binaries in `pg_bin` (None: the pgserver wheel)."""
    if profile not in PROFILES:
        raise ConfigError(f"--profile must be one of {', '.join(PROFILES)} (got {profile!r})")
    root.mkdir(parents=True, exist_ok=True)
    cluster = EmbeddedCluster(root / "pg", bin_dir=pg_bin)  # refuses other binaries first
    ensure_evidence_keys(root)
    cluster.start()
    pg_bin_text = str(cluster.custom_bin) if cluster.custom_bin else None
    state = SandboxState.load(root)
    if state is not None and _database_exists(cluster.admin_url, state.dbname):
        state.admin_url = cluster.admin_url  # the port may change across restarts
        state.pg_bin = pg_bin_text
        if profile != state.profile:
            raise ConfigError(f"the sandbox in {state.root} has the {state.profile!r} profile;"
                              f" run `cutover sandbox down` and `up --profile {profile}`")
        if at != state.at:
            _move(state, at, log)
        state.save()
        return state
    if profile == "managed":
        passwords = bootstrap_managed(cluster.admin_url, lambda pw: role_url(
            cluster.admin_url, MANAGED_ADMIN, pw, "postgres"))
    else:
        passwords = bootstrap_roles(cluster.admin_url)
    hmac_secret = secrets.token_urlsafe(48)
    provision(cluster.admin_url, DBNAME, at, passwords=passwords, seed=seed,
              hmac_secret=hmac_secret, log=log, profile=profile)
    state = SandboxState(root=str(root), admin_url=cluster.admin_url, dbname=DBNAME, at=at,
                         passwords=passwords, session_secret=secrets.token_urlsafe(48),
                         hmac_secret=hmac_secret, seed=seed, profile=profile,
                         pg_bin=pg_bin_text)
    init_config_store(state)
    state.save()
    return state


def init_config_store(state: SandboxState) -> None:
    """The sandbox's local store starts with writes enabled, as a live platform would."""
    from cutover.configstore import WRITES_DISABLED_KEY, LocalConfigStore

    path = Path(state.environment()["SOLVEREIGN_CONFIG_STORE_FILE"])
    with LocalConfigStore(path) as store:
        if store.find_flag(WRITES_DISABLED_KEY) is None:
            store.set_flag(WRITES_DISABLED_KEY, False)


def _move(state: SandboxState, at: str, log) -> None:
    """pre → latest applies the rest; latest → pre cannot be done in place."""
    if at == "pre":
        raise ConfigError(
            f"the sandbox in {state.root} is already at 'latest'; "
            "run `cutover sandbox down` and `up --at pre` for a pre-cutover one"
        )
    migrate(state.url("solvereign_migrator"), default_directory(), RunnerOptions(), log=log)
    state.at = at


def _database_exists(admin_url: str, dbname: str) -> bool:
    with connect(admin_url) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
    return row is not None


def down(root: Path, keep: bool = False) -> bool:
    """Stop the sandbox's processes and server; remove its directory unless `keep`."""
    from sandbox import traffic_process

    if not (root / "pg").exists() and not (root / STATE_FILE).exists():
        return False
    state = SandboxState.load(root)
    traffic_process.stop(root)  # the clients first: they read from the API
    if state and state.api_pid:
        _stop_pid(state.api_pid)
    EmbeddedCluster(root / "pg").stop_if_running()
    if not keep:
        shutil.rmtree(root, ignore_errors=True)
    return True


def _stop_pid(pid: int) -> None:
    """SIGTERM a process we started, ignoring one that is already gone."""
    import signal

    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


def export_lines(state: SandboxState) -> list[str]:
    """`export NAME=value` lines for `eval "$(cutover sandbox up)"`."""
    return [f"export {k}={shlex.quote(v)}" for k, v in sorted(state.environment().items())]


def start_api(state: SandboxState, log=None) -> None:
    """Start the sandbox HTTP API (or keep its healthy one) and export the gate's probe settings."""
    try:
        from sandbox import api_server
    except ModuleNotFoundError:
        raise ConfigError("the sandbox HTTP API is not part of this build yet") from None
    state.extra.update(api_server.probe_settings(state))
    state.extra[REDEPLOY_VAR] = redeploy_command(state)
    state.api_url, state.api_pid = api_server.launch(state, log=log)
    state.save()


REDEPLOY_VAR = "SOLVEREIGN_REDEPLOY_COMMAND"


def redeploy_command(state: SandboxState) -> str:
    """The sandbox's redeploy hook: restart its API, which then connects to whatever database
    carries the platform's name (after a rollback: the restored one). A real platform's hook
    redeploys the previous build instead (README: SOLVEREIGN_REDEPLOY_COMMAND)."""
    return shlex.join([sys.executable, "-m", "cutover.cli", "sandbox", "redeploy",
                       "--data-dir", str(state.root)])


def redeploy(root: Path, log=None) -> str:
    """Restart the sandbox API on the same port; returns a line naming it."""
    from sandbox import api_server

    state = SandboxState.load(root)
    if state is None:
        raise ConfigError(f"no sandbox in {root}")
    if not state.api_url:
        raise ConfigError(f"the sandbox in {root} runs no API (start it with --with-api)")
    url, pid = api_server.restart_api(state, log=log)
    return f"sandbox API restarted at {url} (pid {pid})"

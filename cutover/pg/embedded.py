"""An embedded PostgreSQL server: the `pgserver` wheel's PostgreSQL 16 by default, or the
binaries of any other major in a folder the user names (`--pg-bin DIR`, SOLVEREIGN_PG_BIN).

We use only the binaries, not the wheel's server manager: we need TCP on loopback
with password authentication (so wrong passwords are really refused), a data
directory we choose, and a server that outlives the process that started it
(`cutover sandbox up` returns while the sandbox runs on). PostgreSQL refuses to run
as root, so under root the server runs as the unprivileged `pgserver` user. A cluster
remembers the folder it was made with (cluster.json), so `down` and `status` later drive it
with the same major's pg_ctl.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from cutover.errors import ConfigError, TargetError
from cutover.pg.url import role_url

SUPERUSER = "postgres"
SYSTEM_USER = "pgserver"
STATE_FILE = "cluster.json"
SERVER_TOOLS = ("initdb", "pg_ctl", "postgres", "pg_dump", "pg_restore", "psql")
_MAJOR = re.compile(r"\(PostgreSQL\)\s+(\d+)")


def bin_path() -> Path:
    """Directory of the wheel's PostgreSQL binaries (found without importing the wheel,
    whose import has side effects we do not want in a CLI)."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the embedded PostgreSQL needs the pgserver package (pip install it)")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def validate_bin_dir(value: str | Path, source: str = "--pg-bin") -> Path:
    """The folder as an absolute path once it holds every binary the sandbox runs, each
    executable (by the server's user under root); else ConfigError naming the folder."""
    folder = Path(value).expanduser()
    if not folder.is_dir():
        raise ConfigError(f"{source} {folder}: no such directory")
    folder = folder.resolve()
    missing = [t for t in SERVER_TOOLS if not (folder / t).is_file()]
    if missing:
        raise ConfigError(f"{source} {folder} lacks {', '.join(missing)} "
                          "(it must hold a PostgreSQL server's bin folder)")
    others = os.geteuid() == 0  # the server runs as SYSTEM_USER, who needs the o+x bit
    for tool in SERVER_TOOLS:
        path = folder / tool
        runnable = path.stat().st_mode & stat.S_IXOTH if others else os.access(path, os.X_OK)
        if not runnable:
            who = f" by the {SYSTEM_USER} user the server runs as" if others else ""
            raise ConfigError(f"{source} {folder}: {tool} is not executable{who}")
    return folder


def server_major(folder: Path) -> int | None:
    """The major version of the `postgres` binary in `folder` (None when it will not say)."""
    try:
        out = subprocess.run([str(folder / "postgres"), "--version"], capture_output=True,
                             text=True, timeout=30, check=False).stdout
    except OSError:
        return None
    found = _MAJOR.search(out)
    return int(found.group(1)) if found else None


def _is_wheel(folder: Path) -> bool:
    """True when `folder` is the pgserver wheel's own bin folder (the default)."""
    try:
        return folder.resolve() == bin_path().resolve()
    except ConfigError:
        return False


def chosen_bin_dir(flag: str | Path | None = None) -> Path | None:
    """The server binaries asked for: the `--pg-bin` flag, else SOLVEREIGN_PG_BIN (the
    same folder the client tools come from), validated; None means the pgserver wheel."""
    source, value = ("--pg-bin", flag) if flag else ("SOLVEREIGN_PG_BIN",
                                                     os.environ.get("SOLVEREIGN_PG_BIN"))
    if not value or _is_wheel(Path(value)):
        return None
    return validate_bin_dir(value, source)


def _free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as() -> str | None:
    """The system user the server must run as (None: the current user)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "-s", "/usr/sbin/nologin",
                        SYSTEM_USER], check=True, capture_output=True)
    return SYSTEM_USER


def _add_mode(path: Path, bits: int) -> None:
    """chmod +bits, leaving other bits as they are."""
    mode = path.stat().st_mode
    if mode & bits != bits:
        path.chmod(mode | bits)


def _open_up(path: Path, binaries: Path) -> None:
    """Let the server's user traverse every parent of `path` and of `binaries`, and (for the
    wheel, which pip installs owner-only in a root venv) read and run the wheel's files.
    A folder the user named is only traversed: its files are the user's to set."""
    for parent in [*path.parents, *binaries.parents]:
        _add_mode(parent, stat.S_IXOTH)
    if not _is_wheel(binaries):
        return
    install = bin_path().parent
    for dirpath, _dirs, files in os.walk(install):
        _add_mode(Path(dirpath), stat.S_IROTH | stat.S_IXOTH)
        for name in files:
            _add_mode(Path(dirpath) / name, stat.S_IROTH)
    for tool in bin_path().iterdir():
        _add_mode(tool, stat.S_IROTH | stat.S_IXOTH)


class EmbeddedCluster:
    """A cluster in `root/pgdata` whose state (port, superuser password) is in `root`."""

    def __init__(self, root: Path | None = None, *, fast: bool = False,
                 bin_dir: str | Path | None = None) -> None:
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="solvereign-pg-"))
        self._owns_root = root is None
        self.pgdata = self.root / "pgdata"
        self.fast = fast
        self.user = _run_as()
        self.port: int | None = None
        self.password: str | None = None
        self.admin_url = ""
        self.custom_bin = self._choose_bin(bin_dir)

    def _choose_bin(self, bin_dir: str | Path | None) -> Path | None:
        """The folder asked for (None: the wheel); an existing cluster keeps the one it was
        made with, and asking for another is refused rather than mixing majors."""
        wheel = bin_dir is None or _is_wheel(Path(bin_dir))
        asked = None if wheel else validate_bin_dir(bin_dir)  # type: ignore[arg-type]
        if not self._state_path().exists():
            return asked
        saved = json.loads(self._state_path().read_text()).get("bin_dir")
        made_with = Path(saved) if saved else None
        if bin_dir is not None and asked != made_with:
            raise ConfigError(
                f"the cluster in {self.root} was made with "
                f"{made_with or 'the pgserver wheel'}, not {asked or 'the pgserver wheel'};"
                " run `cutover sandbox down` first to start over on other binaries")
        return made_with

    @property
    def bin(self) -> Path:
        """The folder whose initdb, pg_ctl and postgres run this cluster."""
        return self.custom_bin or bin_path()

    # -- state -------------------------------------------------------------
    def _state_path(self) -> Path:
        return self.root / STATE_FILE

    def _load_state(self) -> None:
        state = json.loads(self._state_path().read_text())
        self.port, self.password = state["port"], state["superuser_password"]
        self._set_url()

    def _save_state(self) -> None:
        path = self._state_path()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump({"port": self.port, "superuser_password": self.password,
                       "bin_dir": str(self.custom_bin) if self.custom_bin else None}, fh)

    def _set_url(self) -> None:
        base = f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"
        self.admin_url = role_url(base, SUPERUSER, self.password, "postgres")

    # -- lifecycle ---------------------------------------------------------
    def _identity(self) -> dict:
        """subprocess arguments that drop root entirely (uid, gid and groups): a root gid
        would make root-owned 0700 parents deny traversal through their group bits."""
        if not self.user:
            return {}
        entry = pwd.getpwnam(self.user)
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def _pg(self, tool: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run a server binary as the server's user, failing with its stderr."""
        cmd = [str(self.bin / tool), *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              check=False, cwd="/", **self._identity())
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise TargetError(f"{tool} failed: {detail[-1] if detail else proc.returncode}")
        return proc

    def _initdb(self) -> None:
        """Create the cluster with scram authentication and a random superuser password."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o711)
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        self.password = secrets.token_urlsafe(24)
        with tempfile.NamedTemporaryFile("w", dir=self.root, delete=False) as pw:
            pw.write(self.password + "\n")
        pwfile = Path(pw.name)
        if self.user:
            _open_up(self.pgdata, self.bin)
            shutil.chown(self.pgdata, self.user, self.user)
            shutil.chown(pwfile, self.user, self.user)
        try:
            self._pg("initdb", "-D", str(self.pgdata), "-U", SUPERUSER, f"--pwfile={pwfile}",
                     "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-instructions")
        finally:
            pwfile.unlink(missing_ok=True)

    def _configure(self) -> None:
        """Write the settings that change per start (port) and per purpose (fast)."""
        lines = [
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            "unix_socket_directories = ''",
            "max_connections = 200",
            "log_min_messages = warning",
        ]
        if self.fast:  # throwaway test clusters: durability is not what we test
            lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        conf = self.pgdata / "postgresql.solvereign.conf"
        conf.write_text("\n".join(lines) + "\n")
        main = self.pgdata / "postgresql.conf"
        include = "include_if_exists = 'postgresql.solvereign.conf'\n"
        if include not in main.read_text():
            with main.open("a") as fh:
                fh.write(include)
        if self.user:
            shutil.chown(conf, self.user, self.user)

    def is_running(self) -> bool:
        """True when pg_ctl reports a live postmaster for our data directory."""
        if not (self.pgdata / "PG_VERSION").exists():
            return False
        proc = subprocess.run([str(self.bin / "pg_ctl"), "status", "-D", str(self.pgdata)],
                              capture_output=True, text=True, check=False, cwd="/",
                              **self._identity())
        return proc.returncode == 0

    def start(self) -> EmbeddedCluster:
        """Initialise if needed and start; reuse a server that already runs here."""
        if self.is_running():
            self._load_state()
            return self
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        else:
            self._load_state()
        for attempt in range(5):
            self.port = _free_port()
            self._configure()
            try:
                self._pg("pg_ctl", "start", "-D", str(self.pgdata), "-w", "-t", "60",
                         "-l", str(self.pgdata / "server.log"))
                break
            except TargetError:
                if attempt == 4:
                    raise
                time.sleep(0.2)
        self._set_url()
        self._save_state()
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove a temporary root we created."""
        self.stop_if_running()
        if self._owns_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def stop_if_running(self) -> None:
        """Stop without touching the directory (for a data dir someone else owns)."""
        if self.is_running():
            self._pg("pg_ctl", "stop", "-D", str(self.pgdata), "-m", "fast", "-w")

    def bin_dir(self) -> Path | None:
        """pg_dump, pg_restore and psql of the server's own major (the folder checked them)."""
        return self.bin

    def major(self) -> int | None:
        """The server binaries' major version."""
        return server_major(self.bin)

"""What an operator does by hand before pointing the tool at a target it did not start.

A PostgreSQL cluster from plain binaries (`initdb`, `pg_ctl`: Debian's
/usr/lib/postgresql/15/bin when installed, else the pgserver wheel's bin dir), and the
platform's API as a process of its own (`python -m sandbox.api`: the SOLVEREIGN API this
repository ships is the sandbox's, so it plays "the platform's API" here, started with only
the environment a deployment gives it). PostgreSQL refuses to run as root: under root the
server runs as an unprivileged system user, as `cutover.pg.embedded` does.

Also a command line, used as the rollback's SOLVEREIGN_REDEPLOY_COMMAND:
    python tests/external/by_hand.py restart-api DIR
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

DEBIAN_BIN = Path("/usr/lib/postgresql/15/bin")
SYSTEM_USER = "pgserver"
API_STATE = "api.json"  # pid, port and the environment file of the API (mode 0600)
START_BOUND = 60.0


def pg_bin() -> Path:
    """Debian's PostgreSQL 15 when installed, else the pgserver wheel's binaries."""
    if (DEBIAN_BIN / "initdb").exists():
        return DEBIAN_BIN
    from cutover.pg.embedded import bin_path

    return bin_path()


def _identity() -> dict:
    """subprocess arguments that run the server as an unprivileged user under root."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "-s", "/usr/sbin/nologin",
                        SYSTEM_USER], check=True, capture_output=True)
        entry = pwd.getpwnam(SYSTEM_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OperatorCluster:
    """initdb, a few lines of postgresql.conf, pg_ctl start/stop: nothing of the tool's."""

    def __init__(self, root: Path, bin_dir: Path) -> None:
        self.root, self.bin = root, bin_dir
        self.pgdata = root / "pgdata"
        self.password = secrets.token_urlsafe(24)
        self.port = 0

    def _run(self, tool: str, *args: str) -> None:
        proc = subprocess.run([str(self.bin / tool), *args], capture_output=True, text=True,
                              timeout=180, check=False, cwd="/", **_identity())
        if proc.returncode != 0:
            raise RuntimeError(f"{tool} failed: {(proc.stderr or proc.stdout)[-2000:]}")

    def start(self) -> OperatorCluster:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        ident = _identity()
        if ident:
            for parent in self.root.parents:  # the server's user must reach its data
                parent.chmod(parent.stat().st_mode | 0o001)
            self.pgdata.mkdir(mode=0o700)
            os.chown(self.pgdata, ident["user"], ident["group"])
            os.chown(pwfile, ident["user"], ident["group"])
        try:
            self._run("initdb", "-D", str(self.pgdata), "-U", "postgres",
                      f"--pwfile={pwfile}", "--auth=scram-sha-256", "--encoding=UTF8",
                      "--locale=C", "--no-instructions")
        finally:
            pwfile.unlink()
        self.port = _free_port()
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       "unix_socket_directories = ''\nmax_connections = 200\n"
                       "fsync = off\nsynchronous_commit = off\n")
        self._run("pg_ctl", "start", "-D", str(self.pgdata), "-w", "-t", "60", "-l",
                  str(self.pgdata / "server.log"))
        return self

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if (self.pgdata / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-D", str(self.pgdata), "-m", "fast", "-w")
        shutil.rmtree(self.root, ignore_errors=True)


# -- the platform's API as its own process ------------------------------------------------

def start_api(folder: Path, env: dict[str, str], port: int = 0) -> str:
    """Start `python -m sandbox.api` with `env` (saved, 0600, for a restart); its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    port_file, log = folder / "api.port", folder / "api.log"
    port_file.unlink(missing_ok=True)
    repo = Path(__file__).resolve().parents[2]
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sandbox.api", "--port", str(port), "--port-file",
             str(port_file)], env=env, cwd=repo, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + START_BOUND
    while time.monotonic() < deadline and proc.poll() is None:
        if port_file.exists() and port_file.read_text().strip().isdigit():
            url = f"http://127.0.0.1:{port_file.read_text().strip()}"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    state = folder / API_STATE
                    fd = os.open(state, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    with os.fdopen(fd, "w") as fh:
                        json.dump({"pid": proc.pid, "url": url, "env": env}, fh)
                    return url
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the API did not start: {log.read_text()[-2000:]}")


def stop_api(folder: Path) -> None:
    """SIGTERM the API this folder started, and wait for it to go."""
    state = folder / API_STATE
    if not state.exists():
        return
    pid = json.loads(state.read_text())["pid"]
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # not our child: ask whether it still runs
            done = 0 if Path(f"/proc/{pid}").exists() and not _zombie(pid) else pid
        if done == pid:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in "ZX"
    except (OSError, IndexError):
        return True


def restart_api(folder: Path) -> str:
    """The redeploy: stop the API, start it again on the same port with the same env."""
    state = json.loads((folder / API_STATE).read_text())
    stop_api(folder)
    port = int(state["url"].rsplit(":", 1)[1])
    return start_api(folder, state["env"], port=port)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "restart-api":
        print("usage: by_hand.py restart-api DIR", file=sys.stderr)
        sys.exit(2)
    print(f"API restarted at {restart_api(Path(sys.argv[2]))}")

"""Fixtures for the sandbox API's tests: the API as a real process on a real socket.

`start_api(db, **env)` runs `python -m sandbox.api --port 0` against a platform database
(tests.platform.PlatformDB) the way `cutover sandbox up --with-api` does, waits for /health
and stops it at teardown. `shared_api` is one API per module over a module-lifetime copy of
the `latest` (or `pre`) template, for tests that do not break anything.
"""

from __future__ import annotations

import functools
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.pg import DatabaseFactory
from tests.platform import REPO, PlatformDB

START_TIMEOUT = 30.0


@dataclass
class ApiProcess:
    """A running API: its URL, process, log file and environment."""

    url: str
    proc: subprocess.Popen
    log: Path
    env: dict[str, str] = field(repr=False)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@functools.cache
def seed_for(hmac_secret: str):
    """The seed the platform templates were loaded with (clear keys and passwords)."""
    from sandbox import seed

    return seed.generate(94, seed.PILOT_SCALE, hmac_secret=hmac_secret.encode())


def probe_env(db: PlatformDB) -> dict[str, str]:
    """The probe settings `cutover sandbox up --with-api` exports, for this database."""
    data = seed_for(db.hmac_secret)
    return {
        "SOLVEREIGN_PROBE_API_KEY_A": data.api_key("wien_pilot"),
        "SOLVEREIGN_PROBE_API_KEY_B": data.api_key("graz_test"),
        "SOLVEREIGN_PROBE_PLATFORM_EMAIL": "ops@solvereign.example",
        "SOLVEREIGN_PROBE_PLATFORM_PASSWORD": data.user_passwords["ops@solvereign.example"],
        "SOLVEREIGN_PROBE_REVOKE_EMAIL": "support@solvereign.example",
        "SOLVEREIGN_PROBE_REVOKE_PASSWORD": data.user_passwords["support@solvereign.example"],
    }


def launch(db: PlatformDB, **overrides: str) -> ApiProcess:
    """Start the API over `db` with `overrides` in its environment; wait for /health."""
    env = db.env(SOLVEREIGN_FLAG_REFRESH_SECONDS="0.2", **overrides)
    port_file = db.workdir / f"api-{time.monotonic_ns()}.port"
    log = port_file.with_suffix(".log")
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "sandbox.api", "--port", "0",
                                 "--port-file", str(port_file)], cwd=REPO, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"API exited {proc.returncode}: {log.read_text()[-2000:]}")
        if port_file.exists() and port_file.read_text().strip():
            url = f"http://127.0.0.1:{port_file.read_text().strip()}"
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    return ApiProcess(url, proc, log, env)
            except httpx.HTTPError:
                pass
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"API did not start: {log.read_text()[-2000:]}")


@pytest.fixture
def start_api() -> Iterator:
    """Factory of API processes, all stopped at teardown."""
    started: list[ApiProcess] = []

    def start(db: PlatformDB, **overrides: str) -> ApiProcess:
        api = launch(db, **overrides)
        started.append(api)
        return api

    yield start
    for api in started:
        api.stop()


def module_platform(request, at: str, admin_url, platform_roles, platform_templates,
                    tmp_path_factory) -> Iterator[PlatformDB]:
    """A platform database living as long as the requesting module."""
    from tests.conftest import _init_store, _template

    template = _template(admin_url, platform_roles, platform_templates, at)
    factory = DatabaseFactory(admin_url)
    url = factory(template=template, prefix=f"m_{at}", owner="solvereign_owner")
    name = url.rsplit("/", 1)[1]
    workdir = tmp_path_factory.mktemp(name)
    db = PlatformDB(admin_url=admin_url, dbname=name, passwords=platform_roles,
                    hmac_secret=platform_templates["hmac_secret"], workdir=workdir)
    _init_store(db)
    yield db
    factory.cleanup()


@pytest.fixture(scope="module", params=["latest", "pre"])
def shared_db(request, admin_url, platform_roles, platform_templates, tmp_path_factory):
    """One database per module and schema state (latest and pre)."""
    yield from module_platform(request, request.param, admin_url, platform_roles,
                               platform_templates, tmp_path_factory)


@pytest.fixture(scope="module")
def shared_api(shared_db) -> Iterator[ApiProcess]:
    """One API per module and schema state."""
    api = launch(shared_db)
    yield api
    api.stop()


@pytest.fixture
def client(shared_api) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=shared_api.url, timeout=10) as c:
        yield c


@pytest.fixture
def seed_data(shared_db):
    return seed_for(shared_db.hmac_secret)



@pytest.fixture(scope="module")
def latest_db(request, admin_url, platform_roles, platform_templates, tmp_path_factory):
    """A `latest` database for the whole module."""
    yield from module_platform(request, "latest", admin_url, platform_roles,
                               platform_templates, tmp_path_factory)


@pytest.fixture(scope="module")
def pre_db(request, admin_url, platform_roles, platform_templates, tmp_path_factory):
    """A `pre` database for the whole module."""
    yield from module_platform(request, "pre", admin_url, platform_roles,
                               platform_templates, tmp_path_factory)

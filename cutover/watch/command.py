"""`cutover watch` end to end (runbook §8–§9.1): its sources and settings resolved and
checked before the first sample, then the loop (cutover.watch.loop).

The watch's exit code is its verdict (0 healthy, 1 investigate, 2 a rollback trigger
fired), so anything it cannot judge — bad input, no source, its own error — is UNKNOWN (3),
never 2.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cutover import settings
from cutover.configstore import CONNECTION_STRING_VAR, ENDPOINT_VAR, FILE_VAR
from cutover.errors import EXIT_CRASH as EXIT_UNKNOWN
from cutover.errors import ConfigError, CutoverError
from cutover.leakprobe import targets as probe_targets
from cutover.pg.url import validate_url
from cutover.watch.collect import Sources
from cutover.watch.leak import API_DB_URL_VAR, LeakProbe
from cutover.watch.loop import WatchOptions, watch
from cutover.watch.triggers import Thresholds


class WatchUnknown(CutoverError):
    """Bad input, no source, the watch's own error: UNKNOWN (3), never 2 = roll back."""

    exit_code = EXIT_UNKNOWN


@dataclass(frozen=True)
class WatchRequest:
    """One `cutover watch` as its flags gave it (None: the environment's, else default)."""

    thresholds: Thresholds
    api_url: str | None = None  # default: $SOLVEREIGN_API_URL
    metrics_url: str | None = None  # default: API_URL/metrics
    db_url: str | None = None  # default: $SOLVEREIGN_DB_URL
    interval: float = 15.0
    window: float = 300.0
    once: bool = False
    log: Path | None = None
    on_trigger: str | None = None
    backup: str | None = None
    leak_probe_interval: float | None = None


def _sources(req: WatchRequest) -> Sources:
    api = req.api_url or os.environ.get("SOLVEREIGN_API_URL")
    metrics = req.metrics_url or (api.rstrip("/") + "/metrics" if api else None)
    db = req.db_url or os.environ.get("SOLVEREIGN_DB_URL")
    if db:
        db = settings.db_url(db)
    if not (metrics or db):
        raise ConfigError("nothing to watch: give --api-url/--metrics-url and/or --db-url")
    return Sources(api_url=api, metrics_url=metrics, db_url=db, started=datetime.now(UTC),
                   store_env=os.environ if _store_configured(os.environ) else None,
                   leak_probe=_leak_probe(req))


def _leak_probe(req: WatchRequest) -> LeakProbe | None:
    """The read-only probe's settings, checked before the first sample (bad input: 3)."""
    if req.leak_probe_interval is None:
        return None
    url = os.environ.get(API_DB_URL_VAR)
    if not url:
        raise ConfigError(f"--leak-probe-interval needs {API_DB_URL_VAR} (the api role's "
                          "own login) to be set")
    settings.db_url(None, name=API_DB_URL_VAR)
    try:
        timeout = probe_targets.statement_timeout(
            os.environ.get("SOLVEREIGN_PROBE_STATEMENT_TIMEOUT"))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return LeakProbe(api_db_url=url, interval=req.leak_probe_interval,
                     statement_timeout=timeout,
                     tenants=probe_targets.tenants(os.environ.get("SOLVEREIGN_PROBE_TENANTS")))


def _require_rollback_inputs(req: WatchRequest) -> None:
    """With --on-trigger rollback, what the rollback will need is checked before the first
    sample (bad input: 3): found missing only when a trigger fires, hours later, the
    rollback could not start at the one moment it is needed."""
    if req.on_trigger != "rollback":
        return
    from cutover.approval import lkg
    from cutover.backup import manifest

    admin_var = settings.ADMIN_URL_VAR  # what `cutover rollback` reads
    if not os.environ.get(admin_var):
        raise ConfigError(f"--on-trigger rollback needs {admin_var}, which is not set: "
                          "the rollback restores through it")
    validate_url(os.environ[admin_var], admin_var)
    backup = req.backup
    if not backup:
        record = lkg.read()
        backup = record.backup.get("path") if record else None
    if not backup:
        raise ConfigError("--on-trigger rollback has no backup to roll back to: give --backup "
                          f"FILE or record last-known-good ({lkg.default_path()} has none)")
    manifest.load(Path(backup))  # the manifest the rollback will read


def _store_configured(env: Mapping[str, str]) -> bool:
    """The write flag is watched where a config store is named (README.md variables)."""
    return any(env.get(v) for v in (CONNECTION_STRING_VAR, ENDPOINT_VAR, FILE_VAR))


def run(req: WatchRequest) -> int:
    """Sample until a rollback trigger fires (or one window passes with --once); bad input
    and missing sources are UNKNOWN (3)."""
    try:
        _require_rollback_inputs(req)
        src = _sources(req)
        return watch(src, WatchOptions(
            thresholds=req.thresholds, interval=req.interval, window=req.window,
            once=req.once, log_path=req.log, on_trigger=req.on_trigger, backup=req.backup,
            leak_probe_interval=req.leak_probe_interval))
    except CutoverError as exc:
        if exc.exit_code == EXIT_UNKNOWN or isinstance(exc, WatchUnknown):
            raise
        raise WatchUnknown(str(exc)) from None

"""Collecting one watch sample: metrics scrape, readiness, security events, hardening."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import httpx
import psycopg

from cutover.configstore import flag_label, open_store, read_writes_state
from cutover.errors import CutoverError
from cutover.pg.pinned import connect_pinned
from cutover.watch.leak import LeakProbe, cross_tenant_events, probe_relations
from cutover.watch.metrics import Scrape, parse, window
from cutover.watch.triggers import Sample

# Every name qualified, on a pinned session (cutover.pg.pinned): a database-level
# `search_path = evil, public` cannot hand the watch its own verify_final_hardening().
REPLAYS_SQL = """SELECT pg_catalog.count(*) FROM core.security_events
 WHERE event_type OPERATOR(pg_catalog.=) 'REPLAY_ATTACK'
   AND created_at OPERATOR(pg_catalog.>=) %s"""
HARDENING_SQL = ("SELECT check_name FROM public.verify_final_hardening()"
                 " WHERE status OPERATOR(pg_catalog.<>) 'PASS' ORDER BY 1")


@dataclass
class Sources:
    """Where the watch looks; any of them may be absent (and is then reported, not assumed)."""

    api_url: str | None
    metrics_url: str | None
    db_url: str | None
    started: datetime
    timeout: float = 5.0
    previous: Scrape | None = None
    notes: list[str] = field(default_factory=list)
    store_env: Mapping[str, str] | None = None  # where the write flag is; None: not watched
    leak_probe: LeakProbe | None = None  # the read-only cross-tenant probe; None: not run


def _scrape(src: Sources) -> Scrape | None:
    if not src.metrics_url:
        return None
    try:
        resp = httpx.get(src.metrics_url, timeout=src.timeout)
        resp.raise_for_status()
        return parse(resp.text, time.monotonic())
    except (httpx.HTTPError, ValueError) as exc:
        src.notes.append(f"metrics unavailable: {type(exc).__name__}")
        return None


def _ready(src: Sources) -> bool | None:
    if not src.api_url:
        return True  # nothing to judge: readiness is not configured
    try:
        resp = httpx.get(src.api_url.rstrip("/") + "/health/ready", timeout=src.timeout)
        return bool(resp.status_code == 200 and resp.json().get("ready") is True)
    except (httpx.HTTPError, ValueError):
        return None


def _database(src: Sources) -> tuple[int, list[str], list[str], bool]:
    """REPLAY_ATTACK events since the start, failing hardening checks, cross-tenant
    security events by route, and whether read.

    A configured database that cannot be read is (0, [], [], False): no data, never healthy.
    """
    if not src.db_url:
        return 0, [], [], True  # nothing to judge: no database is configured
    try:
        with connect_pinned(src.db_url, "cutover-watch") as conn:
            replays = conn.execute(REPLAYS_SQL, (src.started,)).fetchone()[0]
            try:
                failing = [r[0] for r in conn.execute(HARDENING_SQL).fetchall()]
            except psycopg.errors.UndefinedFunction:
                failing = ["verify_final_hardening() does not exist"]
            routes = cross_tenant_events(conn, src.started)
        return int(replays), failing, routes, True
    except (CutoverError, psycopg.Error) as exc:
        src.notes.append(f"database unavailable: {str(exc).splitlines()[0][:120]}")
        return 0, [], [], False


def _leak_probe(src: Sources) -> tuple[list[str], str | None]:
    """Leaking relations when the probe is due ([] otherwise), and why it could not run."""
    probe = src.leak_probe
    if probe is None:
        return [], None
    if not probe.due(time.monotonic()):
        return [], probe.problem
    try:
        found, probe.problem = probe_relations(probe), None
    except CutoverError as exc:
        found, probe.problem = [], str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return found, probe.problem


def _flag(src: Sources) -> str | None:
    """Why the write flag does not read as set (missing, unreadable, malformed), or None.

    The application treats each of these as writes disabled (fail closed): after the
    enable that is an outage of writes, so the watch reports it instead of assuming.
    """
    if src.store_env is None:
        return None
    try:
        with open_store(src.store_env, retry_total=0, timeout=src.timeout) as store:
            return read_writes_state(store, flag_label(src.store_env)).problem
    except CutoverError as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def sample(src: Sources) -> Sample:
    """Take one sample; the error rate is over the time since the previous scrape."""
    src.notes = []
    current = _scrape(src)
    rate = p99 = None
    if current is not None and src.previous is not None:
        w = window(src.previous, current)
        rate, p99 = w.error_rate, w.p99
        if w.requests <= 0:
            src.notes.append("no requests in the window")
    elif current is not None:
        src.notes.append("first scrape (no window yet)")
    if current is not None:
        src.previous = current
    replays, failing, routes, db_ok = _database(src)
    relations, probe_problem = _leak_probe(src)
    return Sample(at=time.monotonic(), error_rate=rate, p99=p99, ready=_ready(src),
                  replay_events=replays, hardening_failures=failing, database_ok=db_ok,
                  flag_problem=_flag(src), leaks=relations + routes,
                  leak_probe_problem=probe_problem, note="; ".join(src.notes))

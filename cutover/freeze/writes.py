"""Freeze and enable writes: set the flag, then prove it through the application.

Reading the flag back from the store proves nothing (caches, labels, the application's
own refresh interval, docs/configuration.md). The freeze is proven only when the application
reports `writes_enabled: false` on /health and refuses a probe write with 503
`writes_disabled`; enabling is proven when /health says true and the same probe gets
past authentication and the freeze. The probe is a real client's write (API key and
request signature, SOLVEREIGN_PROBE_API_KEY_A) with an empty body, so even when it is let
through it is rejected by validation and writes nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from cutover.api.probe import signed_headers
from cutover.configstore import WRITES_DISABLED_KEY, flag_label, open_store
from cutover.errors import ConfigError, CutoverError
from cutover.evidence.bundle import write_json

DEFAULT_PROBE_PATH = "/api/v1/roster/absences"
PROOF_TIMEOUT = 30.0
# How often the proof asks the application: the window starts when the flag is set, so
# every poll interval the application has already followed the flag is window lost.
PROOF_POLL = 0.1
API_URL_VAR = "SOLVEREIGN_API_URL"
PROBE_KEY_VAR = "SOLVEREIGN_PROBE_API_KEY_A"


class ProofFailed(CutoverError):
    """The flag was set but the application does not (yet) behave accordingly (exit 1)."""

    exit_code = 1


@dataclass
class WriteSwitch:
    """What was done and what proved it, for the evidence bundle."""

    action: str  # freeze | enable
    writes_disabled: bool
    store: str
    flag_set_at: str
    labels: list[dict] = field(default_factory=list)
    verified: bool = False
    proven_at: str | None = None
    health: dict = field(default_factory=dict)
    probe: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def window_seconds(start: str, end: str) -> float:
    """Length of the writes-disabled window between two recorded ISO 8601 stamps."""
    return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds(), 1)


def _health(api_url: str) -> dict:
    resp = httpx.get(api_url.rstrip("/") + "/health", timeout=5)
    return {"status_code": resp.status_code, "body": resp.json()}


def _probe(api_url: str, path: str, api_key: str | None) -> dict:
    """A real client's write (key and signature), with a body validation rejects."""
    body = b"{}"
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers |= {"X-API-Key": api_key, **signed_headers(api_key, "POST", path, body)}
    resp = httpx.post(api_url.rstrip("/") + path, content=body, headers=headers, timeout=5)
    try:
        error = resp.json().get("error")
    except ValueError:
        error = None
    return {"path": path, "status_code": resp.status_code, "error": error}


def _frozen(probe: dict) -> bool:
    return probe["status_code"] == 503 and probe["error"] == "writes_disabled"


def _open(probe: dict) -> bool:
    """Let through: past authentication and the freeze, rejected only for its empty body."""
    return probe["status_code"] in (200, 201, 400, 409, 422)


def prove(api_url: str, disabled: bool, *, timeout: float = PROOF_TIMEOUT,
          probe_path: str = DEFAULT_PROBE_PATH, api_key: str | None = None,
          sleep: Callable[[float], None] = time.sleep) -> tuple[dict, dict]:
    """Poll /health and the probe until both show the wanted state, or raise ProofFailed."""
    deadline = time.monotonic() + timeout
    health: dict = {}
    probe: dict = {}
    while True:
        try:
            health = _health(api_url)
            wanted = health["body"].get("writes_enabled") is (not disabled)
            if wanted:
                probe = _probe(api_url, probe_path, api_key)
                if _frozen(probe) if disabled else _open(probe):
                    return health, probe
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            health = {"error": type(exc).__name__}
        if time.monotonic() >= deadline:
            state = "frozen" if disabled else "enabled"
            raise ProofFailed(
                f"the flag is set but {api_url} does not prove writes {state} within "
                f"{timeout:g}s (health {health.get('body', health)}, probe {probe or 'not sent'})"
            )
        sleep(PROOF_POLL)


def require_proof_settings(action: str, api_url: str | None, env: Mapping[str, str]) -> None:
    """Refuse (exit 2) before the flag moves when the proof could not be made: a switch
    that is set and then fails its proof for a missing setting leaves the platform in a
    state nobody asked for, so what the proof needs is checked first."""
    skip = "or --no-verify to switch without proof; the flag was not changed"
    if not api_url:
        raise ConfigError(f"cannot prove the {action}: no API URL (give --api-url or set "
                          f"{API_URL_VAR}, {skip})")
    if not env.get(PROBE_KEY_VAR):
        raise ConfigError(f"cannot prove the {action}: {PROBE_KEY_VAR} is not set (the proof "
                          f"is a real client's probe write, which needs its API key; {skip})")


def switch_writes(disabled: bool, *, env: Mapping[str, str] | None = None,
                  api_url: str | None = None, verify: bool = True,
                  timeout: float = PROOF_TIMEOUT, artifacts_dir: Path | None = None,
                  log: Callable[[str], None] = print) -> WriteSwitch:
    """Set SOLVEREIGN_PLATFORM_WRITES_DISABLED, then prove it through the application
    (or, with verify=False, record that the proof was skipped and why)."""
    env = os.environ if env is None else env
    action = "freeze" if disabled else "enable"
    if verify:
        require_proof_settings(action, api_url, env)
    label = flag_label(env)
    with open_store(env) as store:  # an unreachable store raises before anything changed
        store.set_flag(WRITES_DISABLED_KEY, disabled, label)
        record = WriteSwitch(action=action, writes_disabled=disabled, store=store.describe(),
                             flag_set_at=_now())
        record.labels = [{"label": f.label, "value": f.raw}
                         for f in store.list_all_labels(WRITES_DISABLED_KEY)]
    log(f"{WRITES_DISABLED_KEY}={'true' if disabled else 'false'} set in {record.store}")
    stray = [x for x in record.labels if x["label"] != label
             and x["value"] != ("true" if disabled else "false")]
    if stray:
        record.notes.append(f"other labels disagree: {stray}")
        log(f"warning: other labels of {WRITES_DISABLED_KEY} disagree: {stray}")
    if verify:
        record.health, record.probe = prove(
            api_url, disabled, timeout=timeout,
            probe_path=env.get("SOLVEREIGN_PROBE_WRITE_PATH") or DEFAULT_PROBE_PATH,
            api_key=env[PROBE_KEY_VAR])
        record.verified, record.proven_at = True, _now()
        log(f"proven through {api_url}: /health writes_enabled={not disabled}, "
            f"probe write answered {record.probe['status_code']}")
    else:
        skipped = "proof skipped (--no-verify): nothing checked that the application " \
                  "follows the flag"
        record.notes.append(skipped)
        log(skipped)
    if artifacts_dir:
        write_json(Path(artifacts_dir) / f"{action}_record.json", asdict(record))
    return record

"""Notifications to people (runbook §9.3 "stakeholders notified"; DESIGN §8).

A generic JSON webhook (SOLVEREIGN_NOTIFY_WEBHOOK_URL) receives one POST per event:
`event`, `run_id`, `severity`, `evidence` (the evidence directory) and a one-line
`summary`. Sending never blocks or fails the mutation it reports: a bounded timeout, no
retry, and a failure comes back as a result to log and record in the evidence. The URL
is a secret (webhook URLs carry their token), so only its scheme and host are ever shown.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

WEBHOOK_VAR = "SOLVEREIGN_NOTIFY_WEBHOOK_URL"
EVENTS = ("cutover_started", "approved", "enabled", "trigger_fired", "rollback_done",
          "rollback_failed")
TIMEOUT_SECONDS = 5.0


def _where(url: str) -> str:
    """scheme://host[:port] only: the path and query of a webhook are its credential."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}" + (f":{parts.port}" if parts.port
                                                          else "")


def payload(event: str, run_id: str, severity: str, evidence: str, summary: str = ""
            ) -> dict:
    """The generic webhook's JSON body (no secret: callers pass paths and trigger names)."""
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    return {"event": event, "run_id": run_id, "severity": severity, "evidence": evidence,
            "summary": summary, "source": "solvereign-cutover",
            "sent_at": datetime.now(UTC).isoformat()}


def send(event: str, run_id: str, severity: str, evidence: str, summary: str = "",
         env: Mapping[str, str] | None = None) -> dict:
    """POST the event if a webhook is configured; the outcome as a record, never raised.

    Returns {"event", "sent": bool, "status" | "error", "target"} (target masked), or
    {"event", "sent": False, "skipped": ...} when no webhook is configured.
    """
    env = os.environ if env is None else env
    url = (env.get(WEBHOOK_VAR) or "").strip()
    if not url:
        return {"event": event, "sent": False, "skipped": f"{WEBHOOK_VAR} not set"}
    record: dict = {"event": event, "target": _where(url), "sent": False}
    try:
        body = payload(event, run_id, severity, evidence, summary)
        resp = httpx.post(url, json=body, timeout=TIMEOUT_SECONDS, follow_redirects=False)
        record["status"] = resp.status_code
        record["sent"] = 200 <= resp.status_code < 300
        if not record["sent"]:
            record["error"] = f"HTTP {resp.status_code}"
    except (httpx.HTTPError, ValueError) as exc:
        record["error"] = type(exc).__name__
    if not record["sent"]:
        print(f"warning: notification {event} to {record['target']} failed: "
              f"{record['error']} (the {event.split('_')[0]} goes on)", file=sys.stderr)
    return record

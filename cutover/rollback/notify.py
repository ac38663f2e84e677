"""Notifications to people (runbook §9.3 "stakeholders notified"; README.md).

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
SLACK_VAR = "SOLVEREIGN_NOTIFY_SLACK_WEBHOOK_URL"  # Slack or Teams incoming webhook: {"text"}
PAGERDUTY_KEY_VAR = "SOLVEREIGN_NOTIFY_PAGERDUTY_ROUTING_KEY"
PAGERDUTY_URL_VAR = "SOLVEREIGN_NOTIFY_PAGERDUTY_URL"
PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue"
_PD_SEVERITY = {"S0": "critical", "S1": "error", "investigate": "warning"}
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


def _text(body: dict) -> str:
    """One line for a chat channel."""
    return (f"SOLVEREIGN {body['event']} [{body['severity']}] run {body['run_id']}: "
            f"{body['summary'] or '-'} (evidence {body['evidence']})")


def pagerduty_event(body: dict, routing_key: str) -> dict:
    """PagerDuty Events API v2 `trigger` for one of our events."""
    return {"routing_key": routing_key, "event_action": "trigger",
            "dedup_key": f"solvereign-{body['run_id']}-{body['event']}",
            "payload": {"summary": _text(body)[:1024], "source": body["source"],
                        "severity": _PD_SEVERITY.get(body["severity"], "info"),
                        "component": "cutover", "group": body["run_id"],
                        "class": body["event"], "custom_details": body}}


def send(event: str, run_id: str, severity: str, evidence: str, summary: str = "",
         env: Mapping[str, str] | None = None) -> dict:
    """POST the event to each configured channel; the outcome as a record, never raised.

    Returns the generic webhook's {"event", "sent": bool, "status" | "error", "target"}
    (target masked), or {"event", "sent": False, "skipped": ...} when it is not configured;
    with Slack/Teams or PagerDuty configured, their records are under "channels".
    """
    env = os.environ if env is None else env
    record = _send_generic(event, run_id, severity, evidence, summary, env)
    channels = []
    try:
        body = payload(event, run_id, severity, evidence, summary)
    except ValueError:
        return record
    if chat := (env.get(SLACK_VAR) or "").strip():
        channels.append(_post(event, chat, {"text": _text(body)}))
    if key := (env.get(PAGERDUTY_KEY_VAR) or "").strip():
        url = (env.get(PAGERDUTY_URL_VAR) or "").strip() or PAGERDUTY_URL
        channels.append(_post(event, url, pagerduty_event(body, key)))
    if channels:
        record["channels"] = channels
    return record


def _post(event: str, url: str, body: dict) -> dict:
    """One bounded POST; the outcome (never the URL's path or the body's key)."""
    record: dict = {"event": event, "target": _where(url), "sent": False}
    try:
        resp = httpx.post(url, json=body, timeout=TIMEOUT_SECONDS, follow_redirects=False)
        record["status"] = resp.status_code
        record["sent"] = 200 <= resp.status_code < 300
        if not record["sent"]:
            record["error"] = f"HTTP {resp.status_code}"
    except httpx.HTTPError as exc:
        record["error"] = type(exc).__name__
    if not record["sent"]:
        print(f"warning: notification {event} to {record['target']} failed: "
              f"{record['error']} (the {event.split('_')[0]} goes on)", file=sys.stderr)
    return record


def _send_generic(event: str, run_id: str, severity: str, evidence: str, summary: str,
                  env: Mapping[str, str]) -> dict:
    """The generic JSON webhook (SOLVEREIGN_NOTIFY_WEBHOOK_URL)."""
    url = (env.get(WEBHOOK_VAR) or "").strip()
    if not url:
        return {"event": event, "sent": False, "skipped": f"{WEBHOOK_VAR} not set"}
    try:
        body = payload(event, run_id, severity, evidence, summary)
    except ValueError:
        print(f"warning: notification {event!r} not sent: not one of {', '.join(EVENTS)}",
              file=sys.stderr)
        return {"event": event, "target": _where(url), "sent": False, "error": "ValueError"}
    return _post(event, url, body)

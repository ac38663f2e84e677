"""The notifier against a real loopback HTTP receiver: payload shape, the URL never shown,
and a failed send returned as a record (never raised, never blocking past its timeout)."""

from __future__ import annotations

import pytest

from cutover.rollback import notify
from tests.backup.test_incident import Receiver


@pytest.mark.parametrize("event", notify.EVENTS)
def test_each_event_is_posted_with_the_documented_fields(event):
    r = Receiver()
    try:
        sent = notify.send(event, "prod_cutover_20261207", "S0", "/srv/artifacts/x", "why",
                           env={notify.WEBHOOK_VAR: r.url})
    finally:
        r.close()
    assert r.problems == []
    assert sent == {"event": event, "target": r.url.split("/hooks")[0], "sent": True,
                    "status": 200}
    body = r.payloads[0]
    assert {k: body[k] for k in ("event", "run_id", "severity", "evidence", "summary")} == {
        "event": event, "run_id": "prod_cutover_20261207", "severity": "S0",
        "evidence": "/srv/artifacts/x", "summary": "why"}


def test_a_refusing_receiver_is_a_recorded_failure(capsys):
    r = Receiver(status=500)
    try:
        sent = notify.send("rollback_done", "r", "S1", "/e", env={notify.WEBHOOK_VAR: r.url})
    finally:
        r.close()
    assert sent["sent"] is False and sent["error"] == "HTTP 500"
    err = capsys.readouterr().err
    assert "notification rollback_done to http://127.0.0.1:" in err
    assert "secret-token-path" not in err + str(sent)


def test_an_unreachable_webhook_is_a_recorded_failure():
    sent = notify.send("trigger_fired", "r", "S0", "/e",
                       env={notify.WEBHOOK_VAR: "http://127.0.0.1:9/token"})
    assert sent == {"event": "trigger_fired", "target": "http://127.0.0.1:9", "sent": False,
                    "error": "ConnectError"}


def test_no_webhook_configured_sends_nothing_and_says_so():
    assert notify.send("approved", "r", "info", "/e", env={}) == {
        "event": "approved", "sent": False, "skipped": f"{notify.WEBHOOK_VAR} not set"}


def test_an_unknown_event_is_refused_and_not_sent():
    r = Receiver()
    try:
        sent = notify.send("deployed", "r", "info", "/e", env={notify.WEBHOOK_VAR: r.url})
    finally:
        r.close()
    assert sent["sent"] is False and sent["error"] == "ValueError" and r.payloads == []


def test_slack_and_pagerduty_get_their_documented_shapes():
    """Slack/Teams incoming webhooks take {"text"}; PagerDuty Events API v2 takes a
    trigger with routing_key, event_action, dedup_key and payload.summary/source/severity."""
    chat, pd = Receiver(), Receiver(status=202)
    try:
        sent = notify.send("trigger_fired", "watch_1", "S0", "/e", "replay_attack: 1 event",
                           env={notify.SLACK_VAR: chat.url, notify.PAGERDUTY_KEY_VAR: "r" * 32,
                                notify.PAGERDUTY_URL_VAR: pd.url})
    finally:
        chat.close()
        pd.close()
    assert sent["skipped"] == f"{notify.WEBHOOK_VAR} not set"
    assert [c["sent"] for c in sent["channels"]] == [True, True]
    (text,) = chat.payloads
    assert set(text) == {"text"} and "trigger_fired [S0] run watch_1" in text["text"]
    (event,) = pd.payloads
    assert event["routing_key"] == "r" * 32 and event["event_action"] == "trigger"
    assert event["dedup_key"] == "solvereign-watch_1-trigger_fired"
    assert event["payload"]["severity"] == "critical"
    assert event["payload"]["source"] == "solvereign-cutover"
    assert 0 < len(event["payload"]["summary"]) <= 1024
    assert "r" * 32 not in str(sent)  # the routing key is never in the record

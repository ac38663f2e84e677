"""Every waiver a bundle's gate verdicts applied, for the approver (issue 24.2).

A PASS that holds only through waivers is not the same PASS: the approval screen lists
each one (check, severity, object, who approved it, until when) and approval_record.json
records them. The gate already enforces the policy (cutover.gate.waivers); approval
re-checks it on what the bundle says, so a verdict written by an older or edited gate
cannot slip a one-person blocker waiver or a years-long one past the approver.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from cutover.gate.waivers import MAX_DAYS


def applied(folder: Path, skip: tuple[str, ...] = ()) -> list[dict]:
    """Each applied waiver with the artifact and check it was applied in."""
    out = []
    for path in sorted(Path(folder).glob("*.json")):
        if path.name in skip:
            continue
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        checks = doc.get("checks") if isinstance(doc, dict) else None
        if not isinstance(checks, list):
            continue
        for c in checks:
            for w in (c.get("waivers") or []) if isinstance(c, dict) else []:
                if isinstance(w, dict):
                    out.append({"artifact": path.name, "check": c.get("check_id"),
                                "severity": w.get("severity", c.get("severity")),
                                **{k: w.get(k) for k in ("object", "reason", "approver",
                                                         "second_approver", "created",
                                                         "expires")}})
    return out


def policy_problems(waivers: list[dict], today: date | None = None) -> list[str]:
    """Waivers the policy does not allow, one line each."""
    today = today or date.today()
    problems = []
    for w in waivers:
        name = f"{w['artifact']}: waiver of {w['check']} {w['object']}"
        if w.get("severity") == "blocker" and not w.get("second_approver"):
            problems.append(f"{name} waives a blocker with one approver")
        try:
            created = date.fromisoformat(str(w.get("created")))
            expires = date.fromisoformat(str(w.get("expires")))
        except ValueError:
            problems.append(f"{name} has no valid created/expires dates")
            continue
        if expires - created > timedelta(days=MAX_DAYS):
            problems.append(f"{name} runs {(expires - created).days} days (at most {MAX_DAYS})")
        if expires < today:
            problems.append(f"{name} expired on {expires}")
    return problems


def lines(waivers: list[dict]) -> list[str]:
    """What the approval screen shows for each waiver."""
    out = []
    for w in waivers:
        second = f" and {w['second_approver']}" if w.get("second_approver") else ""
        out.append(f"{w['check']} [{w.get('severity')}] {w['object']} — {w['reason']} "
                   f"(approved by {w['approver']}{second}, expires {w['expires']}; "
                   f"in {w['artifact']})")
    return out

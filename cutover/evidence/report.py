"""`report.html`: one self-contained page per evidence bundle, for the approver to read.

Rendered only from the bundle's own JSON: the verdict first, the §6.1 checklist with
each item's evidence, a timeline of the window with the writes-disabled span marked,
then every check of every phase with its verdict (preflight, verify_final_hardening(),
the security gate, health and auth, the roster gate, the rollback drill and its gate,
the aftermath drill), the roster figures, every artifact's hash and how to verify the
bundle. No scripts, fonts or images from anywhere: it must open offline.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from cutover.approval import checklist
from cutover.evidence import files
from cutover.evidence.html_text import breakable, digest, esc, human, status_of, words
from cutover.evidence.keys import EvidenceKey
from cutover.evidence.report_checks import checks_of, counts, table
from cutover.evidence.report_timeline import timeline

REPORT = "report.html"

#: the phases in the order the window runs them: (heading, [(artifact, the field that holds
#: its checks or None, the document's own fields shown beside them)])
PHASES: list[tuple[str, list[tuple[str, str | None, tuple[str, ...]]]]] = [
    ("Preflight", [("preflight_result.json", "checks", ())]),
    ("Freeze", [("freeze_record.json", None, ("writes_disabled", "verified", "proven_at",
                                              "flag_set_at", "probe", "store"))]),
    ("Migrations", [("migration_log.json", None, ("from_head", "head", "log"))]),
    ("verify_final_hardening()", [("verify_hardening.json", "rows", ())]),
    ("Security gate", [("security_gate_result.json", "checks", ())]),
    ("Health and auth", [
        ("health_check.json", None, ("status", "writes_enabled", "expected_writes_enabled",
                                     "attempts", "waited_seconds", "problems", "checked_at")),
        ("smoke_result.json", "checks", ()), ("auth_separation_test.json", "checks", ())]),
    ("Roster gate and sick-call drill", [
        ("roster_gate_result.json", "checks", ()),
        ("roster_dry_run.json", "checks", ("tenant", "week_start", "deterministic",
                                           "violation_count", "plan_sha256", "figures")),
        ("ops_drill_sick_call.json", None, ("tenant", "absent_drivers", "violation_count",
                                            "max_churn", "figures", "warnings"))]),
    ("Rollback and the post-rollback gate", [
        ("rollback_drill.json", "checks", ("backup", "kept_as", "timings")),
        ("postrollback_result.json", "checks", ())]),
    ("Aftermath drill", [("aftermath_drill.json", "restored", (
        "event_at", "timings", "watch_exit", "incident_sealed", "notifications", "problems"))]),
]
#: facts never shown: long, machine-only or already in a table of their own
_HIDDEN = {"evidence"}


def _load(folder: Path, name: str) -> dict:
    path = folder / name
    try:
        doc = json.loads(path.read_text()) if path.exists() else {}
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _checklist(folder: Path) -> str:
    rows = "".join(
        f'<tr><td class="status {esc(j.status)}">{esc(j.status)}</td><td>{esc(j.item.title)}'
        f'{" <span class=muted>(blocker)</span>" if j.item.blocker else ""}</td>'
        f"<td>{breakable(j.summary)}</td><td><code>{breakable(j.item.artifact)}</code></td></tr>"
        for j in checklist.judge(folder))
    return ('<table class="stack"><thead><tr><th>status</th><th>item</th><th>evidence</th>'
            f"<th>artifact</th></tr></thead><tbody>{rows}</tbody></table>")


def _verdict_of(doc: dict) -> str:
    for key in ("verdict", "gate_status", "status"):
        if isinstance(doc.get(key), str):
            return status_of(doc[key])
    return ""


def _flat(doc: dict, prefix: str = "", depth: int = 0) -> list[tuple[str, object]]:
    """(label, value) pairs of a document's scalar fields, one level of nesting unfolded."""
    out: list[tuple[str, object]] = []
    for key, value in doc.items():
        if key in _HIDDEN:
            continue
        label = f"{prefix}{words(key)}"
        if isinstance(value, dict) and value and depth < 1:
            out.extend(_flat(value, f"{label}: ", depth + 1))
        else:
            out.append((label, value))
    return out


def _facts(doc: dict) -> str:
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{_value(k, v)}</td></tr>" for k, v in _flat(doc))
    return f'<table class="facts">{rows}</table>'


def _value(label: str, value: object) -> str:
    """A fact's cell: digests in groups, everything else in words with break points."""
    if label.endswith("sha256") and isinstance(value, str):
        return f"<code>{digest(value)}</code>"
    if label.startswith("timings") and isinstance(value, int | float):
        return f"{value:g} s"
    return breakable(human(value))


def _artifact(folder: Path, name: str, field: str | None, shown: tuple[str, ...]) -> str:
    """One artifact of a phase: its verdict, its checks and the facts beside them."""
    doc = _load(folder, name)
    if not doc:
        return (f"<h3><code>{breakable(name)}</code></h3>"
                '<p class="muted">not in this bundle</p>')
    verdict = _verdict_of(doc)
    tally, body = "", ""
    if field is not None:
        checks = checks_of(doc, field)
        body, tally = table(name, checks), counts(checks)
    if shown:
        body += _facts({k: doc[k] for k in shown if k in doc})
    badge = f' <span class="status {esc(verdict)}">{esc(verdict)}</span>' if verdict else ""
    note = f' <span class="muted">{esc(tally)}</span>' if tally else ""
    return f"<h3><code>{breakable(name)}</code>{badge}{note}</h3>{body}"


def _phases(folder: Path) -> str:
    """Every phase's section; then any other artifact that records checks, so a check
    the page does not know by name is still shown with its verdict."""
    parts = []
    known = {art[0] for _, arts in PHASES for art in arts}
    for heading, arts in PHASES:
        parts.append(f'<h3 class="phase">{esc(heading)}</h3>'
                     + "".join(_artifact(folder, *art) for art in arts))
    others = sorted(p.name for p in folder.glob("*.json") if p.name not in known
                    and p.name != files.SUMMARY and checks_of(_load(folder, p.name)))
    if others:
        parts.append('<h3 class="phase">Other checks</h3>'
                     + "".join(_artifact(folder, n, "checks", ()) for n in others))
    return "".join(parts)


def _hashes(folder: Path, summary: dict) -> str:
    """The summary's hashes and how to check them. The page is signed with the bundle, so
    it states no verification result of its own (that would be the bundle vouching for
    itself): `cutover evidence verify` with the approver's public key decides."""
    keyid = str((summary.get("signature") or {}).get("keyid", ""))[:16] or "?"
    verdict = (f'<p class="muted">sealed with evidence key {esc(keyid)}; this page is signed '
               f"with the bundle: <code>cutover evidence verify {breakable(folder.name)} "
               "--public-key FILE</code></p>")
    rows = "".join(f"<tr><td><code>{breakable(p)}</code></td><td><code>{digest(h)}</code></td>"
                   "</tr>" for p, h in sorted((summary.get("artifacts") or {}).items()))
    return (f'{verdict}<table class="hashes"><thead><tr><th>artifact</th><th>sha256</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>")


def render(folder: Path, key: EvidenceKey | None = None) -> str:
    """The whole page as a string: a function of the bundle alone (`key` is accepted for
    old callers and unused), so re-rendering a sealed bundle yields the signed bytes."""
    folder = Path(folder)
    summary = _load(folder, files.SUMMARY)
    verdict = str(summary.get("verdict", "MISSING"))
    css = resources.files("cutover.evidence").joinpath("report.css").read_text()
    title = f"SOLVEREIGN cutover {summary.get('rc_tag', '')} — {verdict}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{esc(title)}</title><style>{css}</style></head><body>
<h1>SOLVEREIGN production cutover</h1>
<p class="muted">bundle {breakable(folder.name)} · RC {esc(summary.get('rc_tag', '—'))} ·
sealed {breakable(summary.get('sealed_at', '—'))}</p>
<div class="verdict {esc(verdict)}" id="verdict">VERDICT: {esc(verdict)}</div>
<h2>Go / no-go checklist (runbook §6.1)</h2>{_checklist(folder)}
<h2>Maintenance window</h2>{timeline(summary)}
<h2>Every check, phase by phase</h2>{_phases(folder)}
<h2>Hashes and verification</h2>{_hashes(folder, summary)}
</body></html>
"""


def write(folder: Path, key: EvidenceKey | None = None) -> Path:
    """Write report.html into the bundle folder (signed by the next seal's envelope, not
    listed in the summary it is rendered from)."""
    path = Path(folder) / REPORT
    files.write_atomic(path, render(folder, key).encode())
    return path

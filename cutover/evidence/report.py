"""`report.html`: one self-contained page per evidence bundle, for the approver to read.

Rendered only from the bundle's own JSON: the verdict first, the §6.1 checklist with
each item's evidence, a timeline of the window with the writes-disabled span marked,
the security catalogue, the roster figures, every artifact's hash and whether the
bundle verifies. No scripts, fonts or images from anywhere: it must open offline.
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from importlib import resources
from pathlib import Path

from cutover.approval import checklist
from cutover.evidence import files
from cutover.evidence.keys import EvidenceKey

REPORT = "report.html"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _load(folder: Path, name: str) -> dict:
    path = folder / name
    try:
        doc = json.loads(path.read_text()) if path.exists() else {}
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _checklist(folder: Path) -> str:
    rows = "".join(
        f'<tr><td class="status {_e(j.status)}">{_e(j.status)}</td><td>{_e(j.item.title)}'
        f'{" <span class=muted>(blocker)</span>" if j.item.blocker else ""}</td>'
        f"<td>{_e(j.summary)}</td><td><code>{_e(j.item.artifact)}</code></td></tr>"
        for j in checklist.judge(folder))
    return ("<table><tr><th>status</th><th>item</th><th>evidence</th><th>artifact</th></tr>"
            f"{rows}</table>")


def _ts(value: object) -> float | None:
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return None


def _timeline(summary: dict) -> str:
    phases = summary.get("phases") or {}
    spans = [(name, _ts(p.get("started")), _ts(p.get("finished")))
             for name, p in phases.items() if isinstance(p, dict)]
    spans = sorted(((n, a, b) for n, a, b in spans if a is not None and b is not None),
                   key=lambda span: (span[1], span[2]))  # the window in the order it ran
    if not spans:
        return "<p class=muted>no phase timings in the summary</p>"
    t0, t1 = min(a for _, a, _ in spans), max(b for _, _, b in spans)
    width = max(t1 - t0, 1e-6)

    def pct(t: float) -> float:
        return 100 * (t - t0) / width

    rows = "".join(
        f'<div class="row"><span class="label">{_e(n)} ({b - a:.1f}s)</span>'
        f'<span class="bar" style="left:{pct(a):.2f}%;width:{max(pct(b) - pct(a), .5):.2f}%">'
        "</span></div>" for n, a, b in spans)
    frozen = summary.get("writes_disabled") or {}
    a, b = _ts(frozen.get("from")), _ts(frozen.get("to")) if frozen.get("to") else t1
    marker = ""
    if a is not None and b is not None:
        marker = (f'<div class="frozen" style="left:{pct(a):.2f}%;width:{pct(b) - pct(a):.2f}%"'
                  f' title="writes disabled"></div>')
    seconds = frozen.get("seconds")
    note = (f"<p>writes disabled for <b>{_e(seconds)} s</b> (shaded)</p>"
            if seconds is not None else "")
    return f'{note}<div class="timeline">{marker}{rows}</div>'


def _security(folder: Path) -> str:
    checks = _load(folder, "security_gate_result.json").get("checks", [])
    if not checks:
        return "<p class=muted>no security gate result in the bundle</p>"
    rows = "".join(
        f'<tr><td class="status {_e(c.get("status"))}">{_e(c.get("status"))}</td>'
        f'<td>{_e(c.get("check_id"))}</td><td>{_e(c.get("severity"))}</td>'
        f'<td>{_e(c.get("title"))}<div class=muted>{_e(c.get("message", ""))}</div></td>'
        f'<td>{_e(c.get("remediation"))}</td></tr>' for c in checks)
    return ("<table><tr><th>status</th><th>id</th><th>severity</th><th>check</th>"
            f"<th>remediation</th></tr>{rows}</table>")


def _figures(folder: Path) -> str:
    parts = []
    for name in ("roster_dry_run.json", "ops_drill_sick_call.json"):
        doc = _load(folder, name)
        if not doc:
            parts.append(f"<p class=muted>{_e(name)}: not in the bundle</p>")
            continue
        flat = {k: v for k, v in doc.items() if not isinstance(v, dict | list)}
        for key in ("figures", "quality", "coverage"):
            if isinstance(doc.get(key), dict):
                flat.update({f"{key}.{k}": v for k, v in doc[key].items()
                             if not isinstance(v, dict | list)})
        rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in flat.items())
        parts.append(f"<h3>{_e(name)}</h3><table>{rows}</table>")
    return "".join(parts)


def _hashes(folder: Path, summary: dict) -> str:
    """The summary's hashes and how to check them. The page is signed with the bundle, so
    it states no verification result of its own (that would be the bundle vouching for
    itself): `cutover evidence verify` with the approver's public key decides."""
    keyid = str((summary.get("signature") or {}).get("keyid", ""))[:16] or "?"
    verdict = (f'<p class="muted">sealed with evidence key {_e(keyid)}; this page is signed '
               f"with the bundle: <code>cutover evidence verify {_e(folder.name)} "
               "--public-key FILE</code></p>")
    rows = "".join(f"<tr><td><code>{_e(p)}</code></td><td><code>{_e(h)}</code></td></tr>"
                   for p, h in sorted((summary.get("artifacts") or {}).items()))
    return f"{verdict}<table><tr><th>artifact</th><th>sha256</th></tr>{rows}</table>"


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
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{_e(title)}</title><style>{css}</style></head><body>
<h1>SOLVEREIGN production cutover</h1>
<p class="muted">bundle {_e(folder.name)} · RC {_e(summary.get('rc_tag', '?'))} ·
sealed {_e(summary.get('sealed_at', '?'))}</p>
<div class="verdict {_e(verdict)}" id="verdict">VERDICT: {_e(verdict)}</div>
<h2>Go / no-go checklist (runbook §6.1)</h2>{_checklist(folder)}
<h2>Maintenance window</h2>{_timeline(summary)}
<h2>Security catalogue</h2>{_security(folder)}
<h2>Roster gate and sick-call drill</h2>{_figures(folder)}
<h2>Hashes and verification</h2>{_hashes(folder, summary)}
</body></html>
"""


def write(folder: Path, key: EvidenceKey | None = None) -> Path:
    """Write report.html into the bundle folder (signed by the next seal's envelope, not
    listed in the summary it is rendered from)."""
    path = Path(folder) / REPORT
    files.write_atomic(path, render(folder, key).encode())
    return path

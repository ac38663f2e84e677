"""Every check an artifact of the bundle records, as rows of report.html.

The bundle's documents record checks in four shapes: a gate verdict (`checks`: a list of
{check_id, status, ...}), the auth separation test (`checks`: {id: {status, title}}), a
drill (`checks`/`restored`: a list of {name, ok, detail}) and verify_final_hardening()
(`rows`: {check_name, status, details}). One reader for all four, so the page shows every
check of every phase with its verdict, whatever shape its artifact has.
"""

from __future__ import annotations

from dataclasses import dataclass

from cutover.evidence.html_text import breakable, esc, human, status_of


@dataclass(frozen=True)
class Check:
    """One check as the page shows it."""

    id: str
    status: str
    title: str = ""
    detail: str = ""
    severity: str = ""
    remediation: str = ""
    waived: str = ""


def _from_entry(key: object, entry: object) -> Check:
    """A check from one list item or one {id: entry} pair."""
    if not isinstance(entry, dict):  # {name: true}: a named yes/no check
        return Check(id=str(key), status=status_of(entry))
    ident = entry.get("check_id") or entry.get("check_name") or entry.get("name") or key
    raw = entry["status"] if "status" in entry else entry.get("ok")
    detail = entry.get("message") or entry.get("detail") or entry.get("details") or ""
    counts = [f"{len(entry[k])} {k}" for k in ("probes", "offenders", "problems")
              if isinstance(entry.get(k), list)]
    if not detail and counts:
        detail = ", ".join(counts)
    waivers = [str(w.get("object")) for w in entry.get("waivers") or [] if isinstance(w, dict)]
    return Check(id=str(ident), status=status_of(raw), title=str(entry.get("title") or ""),
                 detail=str(detail), severity=str(entry.get("severity") or ""),
                 remediation=str(entry.get("remediation") or ""),
                 waived=", ".join(waivers))


def checks_of(doc: dict, field: str = "checks") -> list[Check]:
    """The checks `doc` records under `field` (a list or an {id: entry} map), in its order."""
    found = doc.get(field)
    if isinstance(found, list):
        return [_from_entry(i, c) for i, c in enumerate(found) if isinstance(c, dict)]
    if isinstance(found, dict):
        return [_from_entry(k, v) for k, v in found.items()]
    return []


def table(artifact: str, checks: list[Check]) -> str:
    """The rows of one artifact's checks; each row carries its id and verdict as data
    attributes, so a test reads the page as the approver does."""
    if not checks:
        return f"<p class=muted>{esc(artifact)} records no checks</p>"
    graded = any(c.severity for c in checks)  # drills' checks have none: no empty column
    rows = "".join(_row(artifact, c, graded) for c in checks)
    head = "<th>severity</th>" if graded else ""
    return (f'<table class="checks" data-artifact="{esc(artifact)}"><thead><tr>'
            f"<th>verdict</th><th>check</th>{head}</tr></thead><tbody>{rows}</tbody></table>")


def _row(artifact: str, c: Check, graded: bool) -> str:
    title = f" {breakable(c.title)}" if c.title else ""
    detail = f'<div class="muted">{breakable(c.detail)}</div>' if c.detail else ""
    waived = (f'<div class="note">waived: {breakable(c.waived)}</div>' if c.waived else "")
    fix = (f'<div class="note">to fix: {breakable(c.remediation)}</div>'
           if c.remediation and c.status not in ("PASS", "N/A") else "")
    return (f'<tr class="check" data-artifact="{esc(artifact)}" data-check="{esc(c.id)}" '
            f'data-status="{esc(c.status)}"><td class="status {esc(c.status)}">'
            f'{esc(c.status)}</td><td><span class="id">{breakable(c.id)}</span>{title}'
            f'{detail}{waived}{fix}</td>'
            + (f'<td class="severity">{esc(human(c.severity))}</td>' if graded else "") + "</tr>")


def counts(checks: list[Check]) -> str:
    """`48 PASS, 2 WARN`: the tally of the verdicts, most common first."""
    tally: dict[str, int] = {}
    for c in checks:
        tally[c.status] = tally.get(c.status, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(tally.items(), key=lambda kv: -kv[1]))

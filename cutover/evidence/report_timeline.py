"""The maintenance window of report.html: one row per phase, the writes-disabled span shaded.

A grid, not absolutely placed labels: each label sits in its own row and the row grows
with it, so a long phase name wraps inside its row and never runs into the next one.
"""

from __future__ import annotations

from datetime import datetime

from cutover.evidence.html_text import esc, words


def _ts(value: object) -> float | None:
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return None


def _seconds(value: float) -> str:
    return "under 0.1 s" if value < 0.05 else f"{value:.1f} s"


def timeline(summary: dict) -> str:
    """The phases of the summary in the order they ran, as bars on one time axis."""
    phases = summary.get("phases") or {}
    spans = [(name, _ts(p.get("started")), _ts(p.get("finished")), p.get("outcome"))
             for name, p in phases.items() if isinstance(p, dict)]
    spans = sorted(((n, a, b, o) for n, a, b, o in spans if a is not None and b is not None),
                   key=lambda span: (span[1], span[2]))  # the window in the order it ran
    if not spans:
        return '<p class="muted">no phase timings in the summary</p>'
    t0, t1 = min(s[1] for s in spans), max(s[2] for s in spans)
    width = max(t1 - t0, 1e-6)

    def pct(t: float) -> float:
        return 100 * (t - t0) / width

    rows = "".join(
        f'<div class="label" style="grid-row:{i}">{esc(words(n))} '
        f'<span class="muted">{_seconds(b - a)}{_outcome(o)}</span></div>'
        f'<div class="track" style="grid-row:{i}"><span class="bar" style="left:{pct(a):.2f}%;'
        f'width:{max(pct(b) - pct(a), .5):.2f}%"></span></div>'
        for i, (n, a, b, o) in enumerate(spans, start=1))
    frozen = summary.get("writes_disabled") or {}
    a, b = _ts(frozen.get("from")), _ts(frozen.get("to")) if frozen.get("to") else t1
    marker = ""
    if a is not None and b is not None:
        marker = (f'<div class="frozen-lane" style="grid-row:1 / {len(spans) + 1}">'
                  f'<div class="frozen" style="left:{pct(a):.2f}%;width:{pct(b) - pct(a):.2f}%"'
                  ' title="writes disabled"></div></div>')
    seconds = frozen.get("seconds")
    note = (f"<p>writes disabled for <b>{esc(seconds)} s</b> (shaded)</p>"
            if seconds is not None else "")
    return f'{note}<div class="timeline">{marker}{rows}</div>'


def _outcome(outcome: object) -> str:
    """A phase's outcome after its time, only when it is not PASS (the usual case)."""
    return "" if outcome in (None, "PASS") else f", {esc(outcome)}"

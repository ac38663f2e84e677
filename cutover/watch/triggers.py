"""The runbook's rollback triggers (§8–§9.1), evaluated over a sequence of samples.

Defaults are the runbook's thresholds; every one is a parameter. No data is never
healthy: a scrape that fails, a window with no requests or a configured database that
cannot be read is a miss; it is reported as such, and after `max_misses` in a row it
counts as breaching the 5xx trigger, so a dead API or database cannot sit out the five
minutes quietly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HEALTHY, INVESTIGATE, ROLLBACK = 0, 1, 2


@dataclass(frozen=True)
class Thresholds:
    """Trigger thresholds (runbook defaults)."""

    error_rate: float = 0.01  # strictly above 1 % ...
    sustain_seconds: float = 300.0  # ... for 5 minutes → S1
    p99_seconds: float = 2.0  # p99 above 2 s → investigate
    max_misses: int = 3  # consecutive no-data samples before they count as breaching


@dataclass(frozen=True)
class Sample:
    """One evaluation point of the watch."""

    at: float
    error_rate: float | None  # None: no data (scrape failed or no requests)
    p99: float | None = None
    ready: bool | None = True  # None: /health/ready did not answer
    replay_events: int = 0  # REPLAY_ATTACK events since the watch started
    hardening_failures: list[str] = field(default_factory=list)
    database_ok: bool = True  # False: configured, but replays and hardening could not be read
    flag_problem: str | None = None  # the write flag is missing/unreadable: writes disabled
    leaks: list[str] = field(default_factory=list)  # relations/routes seen leaking (S0)
    leak_probe_problem: str | None = None  # the leak probe was due but could not run
    note: str = ""

    @property
    def missed(self) -> bool:
        """No data: no 5xx rate, or the database could not be read."""
        return self.error_rate is None or not self.database_ok


@dataclass(frozen=True)
class Finding:
    """A trigger that fired or a condition to look at."""

    trigger: str
    severity: str  # S0 | S1 | investigate | alert
    action: int  # HEALTHY | INVESTIGATE | ROLLBACK
    message: str


def _breaching_since(samples: list[Sample], t: Thresholds) -> float | None:
    """Start of the current unbroken run of breaching samples (None if the last is fine)."""
    start: float | None = None
    misses = 0
    for s in samples:
        misses = misses + 1 if s.missed else 0
        breach = misses > t.max_misses or (
            s.error_rate is not None and s.error_rate > t.error_rate)
        start = (s.at if start is None else start) if breach else None
    return start


def _what(last: Sample) -> str:
    """What the last sample of a breaching run shows."""
    parts = ["no data" if last.error_rate is None else f"5xx rate {last.error_rate:.2%}"]
    if not last.database_ok:
        parts.append("database unreadable")
    return ", ".join(parts)


def evaluate(samples: list[Sample], t: Thresholds | None = None) -> list[Finding]:
    """Every finding for the samples so far, most severe first."""
    t = t or Thresholds()
    if not samples:
        return [Finding("no_data", "alert", INVESTIGATE, "no samples yet")]
    last = samples[-1]
    out: list[Finding] = []
    if any(s.replay_events for s in samples):
        n = max(s.replay_events for s in samples)
        out.append(Finding("replay_attack", "S0", ROLLBACK,
                           f"{n} REPLAY_ATTACK event(s) in core.security_events"))
    if last.hardening_failures:
        out.append(Finding("hardening", "S0", ROLLBACK, "verify_final_hardening() FAIL: "
                           + ", ".join(last.hardening_failures)))
    leaks = sorted({x for s in samples for x in s.leaks})
    if leaks:
        out.append(Finding("tenant_leak", "S0", ROLLBACK,
                           "tenant data leak detected: " + "; ".join(leaks[:10])
                           + (f"; and {len(leaks) - 10} more" if len(leaks) > 10 else "")))
    since = _breaching_since(samples, t)
    if since is not None:
        held = last.at - since
        what = _what(last)
        if held >= t.sustain_seconds:
            out.append(Finding("error_rate", "S1", ROLLBACK,
                               f"{what} sustained for {held:.0f}s (>= {t.sustain_seconds:.0f}s)"))
        else:
            out.append(Finding("error_rate", "investigate", INVESTIGATE,
                               f"{what} for {held:.0f}s (fires at {t.sustain_seconds:.0f}s)"))
    elif last.error_rate is None:
        out.append(Finding("no_data", "alert", INVESTIGATE,
                           last.note or "no requests or metrics in the last window"))
    if not last.database_ok:
        out.append(Finding("database", "alert", INVESTIGATE,
                           "database could not be read: replays and hardening unknown"))
    if last.leak_probe_problem:
        out.append(Finding("leak_probe", "alert", INVESTIGATE, last.leak_probe_problem))
    if last.flag_problem:
        out.append(Finding("write_flag", "alert", INVESTIGATE, last.flag_problem))
    if last.p99 is not None and last.p99 > t.p99_seconds:
        out.append(Finding("latency", "investigate", INVESTIGATE,
                           f"p99 {last.p99:.2f}s > {t.p99_seconds:.2f}s"))
    if last.ready is not True:
        state = "did not answer" if last.ready is None else "reports not ready"
        out.append(Finding("ready", "alert", INVESTIGATE, f"/health/ready {state}"))
    return sorted(out, key=lambda f: -f.action)


def exit_code(findings: list[Finding]) -> int:
    """0 healthy, 1 investigate, 2 a rollback trigger fired."""
    return max((f.action for f in findings), default=HEALTHY)

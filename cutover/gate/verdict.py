"""Turning check outcomes into one verdict (docs/exit-codes.md, docs/adding-a-check.md).

Kept in the library, away from pytest, so the rules are unit-tested and the same
ones decide the pytest gate, the scripts' verdict lines and the approval.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

SEVERITIES = ("blocker", "major", "minor")
# A check of the advisory tier reports a hazard (WARN when it fires, severity minor) and
# never changes the verdict: it is listed apart from the blockers, so a performance hazard
# cannot hold an approval and a blocker is never lost among hazards.
GATE_TIER, ADVISORY = "gate", "advisory"
TIERS = (GATE_TIER, ADVISORY)
PASS, WARN, FAIL, NA = "PASS", "WARN", "FAIL", "N/A"
EXIT_CODES = {PASS: 0, WARN: 1, FAIL: 2}
NOT_VERIFIED = "not verified"
NOT_APPLICABLE = "not applicable"


@dataclass
class CheckResult:
    """One check's outcome as the gate judges it."""

    check_id: str
    severity: str
    title: str
    outcome: str  # passed | failed | skipped | waived
    message: str = ""
    runbook: str = ""
    remediation: str = ""
    evidence: dict = field(default_factory=dict)
    waivers: list[dict] = field(default_factory=list)
    tier: str = GATE_TIER

    @property
    def advisory(self) -> bool:
        """An advisory check: reported, never part of the verdict."""
        return self.tier == ADVISORY

    @property
    def status(self) -> str:
        """PASS / WARN / FAIL for this one check."""
        if self.outcome in ("passed", "waived"):
            return PASS
        if self.outcome == "failed":
            return WARN if self.severity == "minor" else FAIL
        if self.message.lower().startswith(NOT_APPLICABLE):
            return NA  # e.g. no API URL configured: nothing to verify, nothing claimed
        # skipped: never PASS. A blocker skipped because a dependency failed was never
        # verified and fails the gate; an explicit "not verified" skip is a warning.
        if self.severity == "blocker" and not self.message.lower().startswith(NOT_VERIFIED):
            return FAIL if "depends on" in self.message else WARN
        return WARN

    def as_dict(self) -> dict:
        out = asdict(self)
        out["status"] = self.status
        return out


def verdict(results: list[CheckResult]) -> str:
    """FAIL if any check fails, WARN if any warns, PASS otherwise; nothing verified is FAIL.
    Advisory checks count only when nothing else ran (a run of advisories alone)."""
    gate = [r for r in results if not r.advisory] or results
    statuses = {r.status for r in gate} - {NA}
    if not statuses:
        return FAIL
    if FAIL in statuses:
        return FAIL
    return WARN if WARN in statuses else PASS

"""PM-200: the solver's dry-run roster breaks no hard rule (the oracle recomputes each)."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.roster]


@pytest.mark.check(id="PM-200", severity="blocker", runbook="§5.1",
                   remediation="Do not go live: the platform's solver produces rosters that "
                               "break EU 561/2006 / AZG rules; fix the solver or the data.")
def test_pm200_dry_run_roster_has_no_violations(roster_dry_run, evidence):
    """Zero violations of R0..R14 in the dry-run plan, which is a plan for this instance."""
    evidence.data.update({k: roster_dry_run.get(k) for k in
                          ("tenant", "week_start", "plan_sha256", "instance_sha256", "error")})
    figures = roster_dry_run.get("figures") or {}
    evidence.data["violations_per_rule"] = figures.get("violations_per_rule")
    evidence.data["rules_not_judged"] = figures.get("rules_not_judged")
    assert "error" not in roster_dry_run, roster_dry_run.get("error")
    assert roster_dry_run["checks"]["plan_matches_instance"], (
        f"the solver's plan names another instance than {roster_dry_run['instance_sha256']} "
        f"(tenant {roster_dry_run['tenant']}, week {roster_dry_run['week_start']})")
    found = roster_dry_run["violations"]
    evidence.offenders = sorted({f"{v['rule']} {v.get('driver')}" for v in found})
    per_rule = ", ".join(f"{r} {n}" for r, n in (figures.get("violations_per_rule") or {}).items()
                         if n)
    assert not found, f"{len(found)} violations ({per_rule}): " + "; ".join(
        f"{v['rule']} {v.get('driver')} {v.get('shifts')}" for v in found[:10])

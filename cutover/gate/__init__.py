"""The gate's machinery for the runbook's checklists (§1–§6.1): running a phase, verdicts,
waivers, the ACL scan, SARIF."""

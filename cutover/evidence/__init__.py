"""Runbook §10, the evidence bundle: hashing, the Ed25519 signature, report.html."""

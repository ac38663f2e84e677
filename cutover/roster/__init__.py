"""Runbook §5.1–§5.2, the roster: the interchange model, the legal rules, the gate, the drills."""

"""Runbook §6 and §7.2: the go/no-go — what it judged, the checklist, approval, last-known-good."""

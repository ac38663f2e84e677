"""Runbook §3, the migrations: discovery, the plan, the runner and its ledger, refused escapes."""

"""Runbook §9: the rollback — restore and swap, its lock, gate, redeploy hook, incident record."""

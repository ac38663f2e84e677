"""Runbook §2.1 and §7.1: freezing writes and enabling them again, proven through the app."""

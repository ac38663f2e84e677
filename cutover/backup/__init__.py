"""Runbook §2.4, the pre-cutover backup: the verified dump, its manifest, the facts it records."""

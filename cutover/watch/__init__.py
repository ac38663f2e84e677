"""Runbook §8–§9.1, monitoring after enable: the watch's metrics, triggers and leak detector."""

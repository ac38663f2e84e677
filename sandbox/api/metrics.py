"""Prometheus metrics of the API: requests by route, method and status, and latency.

A registry per app (not the process-global one), so several apps in one test process
never collide and nothing is registered at import time. Route labels are OpenAPI path
templates, never raw paths, so an attacker cannot blow up the label cardinality.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest

# Buckets around the runbook's post-deploy trigger (p99 > 2 s), finer below it.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0)


@dataclass
class Metrics:
    """The collectors of one app."""

    registry: CollectorRegistry
    requests: Counter
    duration: Histogram

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one finished request and record its latency."""
        self.requests.labels(route=route, method=method, status=str(status)).inc()
        self.duration.labels(route=route, method=method).observe(seconds)

    def render(self) -> tuple[bytes, str]:
        """The text exposition format and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def create_metrics() -> Metrics:
    """Fresh collectors in a fresh registry."""
    registry = CollectorRegistry()
    return Metrics(
        registry=registry,
        requests=Counter("http_requests_total", "HTTP requests by route, method and status",
                         ("route", "method", "status"), registry=registry),
        duration=Histogram("http_request_duration_seconds", "HTTP request latency",
                           ("route", "method"), buckets=BUCKETS, registry=registry),
    )

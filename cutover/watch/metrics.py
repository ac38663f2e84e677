"""Reading the API's Prometheus metrics and turning two scrapes into rates and quantiles.

Counters only ever grow, so a rate is the difference between two scrapes divided by
the difference in requests; a p99 is read from the difference of the histogram
buckets, interpolated within the bucket as PromQL's histogram_quantile does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

REQUESTS = "http_requests_total"
DURATION_BUCKETS = "http_request_duration_seconds_bucket"
# The watch's own polling (and any other monitor's): route templates as the API labels them.
MONITORING_ROUTES = frozenset({"/metrics", "/health", "/health/ready"})


@dataclass(frozen=True)
class Scrape:
    """Cumulative totals of one scrape: requests, 5xx responses, latency buckets."""

    at: float
    requests: float
    errors_5xx: float
    buckets: dict[float, float] = field(default_factory=dict)


def parse(text: str, at: float) -> Scrape:
    """Sum the conventional series over every label set (route, method, ...).

    Samples whose `route` is one of MONITORING_ROUTES (/metrics, /health, /health/ready)
    are left out of the requests, the 5xx and the latency buckets: the watch's own
    polling is not traffic, so a window with nothing else in it has no data. Samples
    without a route label count.
    """
    requests = errors = 0.0
    buckets: dict[float, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.labels.get("route") in MONITORING_ROUTES:
                continue
            if sample.name == REQUESTS:
                requests += sample.value
                if str(sample.labels.get("status", "")).startswith("5"):
                    errors += sample.value
            elif sample.name == DURATION_BUCKETS:
                le = float(sample.labels["le"])
                buckets[le] = buckets.get(le, 0.0) + sample.value
    return Scrape(at=at, requests=requests, errors_5xx=errors, buckets=buckets)


@dataclass(frozen=True)
class Window:
    """What happened between two scrapes; `requests == 0` means no data."""

    seconds: float
    requests: float
    errors_5xx: float
    p99: float | None

    @property
    def error_rate(self) -> float | None:
        return None if self.requests <= 0 else self.errors_5xx / self.requests


def quantile(q: float, buckets: dict[float, float]) -> float | None:
    """histogram_quantile over cumulative (le → count) buckets; None without observations."""
    if not buckets:
        return None
    bounds = sorted(buckets)
    total = buckets[bounds[-1]]
    if total <= 0:
        return None
    rank = q * total
    prev_bound, prev_count = 0.0, 0.0
    for bound in bounds:
        count = buckets[bound]
        if count >= rank:
            if math.isinf(bound):
                return prev_bound  # above the highest finite bucket: its bound is all we know
            if count == prev_count:
                return bound
            return prev_bound + (bound - prev_bound) * (rank - prev_count) / (count - prev_count)
        prev_bound, prev_count = bound, count
    return bounds[-1]


def window(before: Scrape, after: Scrape) -> Window:
    """The difference of two scrapes; a counter reset (restart) counts from zero."""
    reset = after.requests < before.requests
    base = Scrape(before.at, 0.0, 0.0, {}) if reset else before
    diff = {le: after.buckets.get(le, 0.0) - base.buckets.get(le, 0.0) for le in after.buckets}
    return Window(seconds=after.at - before.at, requests=after.requests - base.requests,
                  errors_5xx=after.errors_5xx - base.errors_5xx, p99=quantile(0.99, diff))

"""The watch's own polling (/metrics, /health, /health/ready) is not traffic."""

from __future__ import annotations

import pytest

from cutover.watch.metrics import MONITORING_ROUTES, parse, window
from sandbox.api.metrics import create_metrics


def _scrape(metrics, at: float):
    body, _ = metrics.render()
    return parse(body.decode(), at)


def _poll(metrics, times: int) -> None:
    """What the watch does to the API between two scrapes (labels as the API sets them)."""
    for _ in range(times):
        metrics.observe("/metrics", "GET", 200, 0.003)
        metrics.observe("/health/ready", "GET", 200, 0.004)
        metrics.observe("/health", "GET", 503, 3.0)


def test_monitoring_routes_are_the_apis_own_monitoring_routes():
    """The excluded set is exactly what the sandbox API serves for monitors (no pack or
    platform route is ever left out of the traffic)."""
    from sandbox.api.routes import health

    assert {r.path for r in health.router.routes} == MONITORING_ROUTES


def test_only_monitoring_requests_in_the_window_is_no_data():
    m = create_metrics()
    m.observe("/api/v1/plans", "GET", 200, 0.02)
    before = _scrape(m, 0)
    _poll(m, 20)
    w = window(before, _scrape(m, 15))
    assert w.requests == 0 and w.errors_5xx == 0
    assert w.error_rate is None and w.p99 is None


def test_real_routes_still_count_beside_the_polling():
    m = create_metrics()
    before = _scrape(m, 0)
    _poll(m, 20)
    for status in (200, 200, 200, 500):
        m.observe("/api/v1/plans", "GET", status, 0.02)
    w = window(before, _scrape(m, 15))
    assert w.requests == 4 and w.errors_5xx == 1
    assert w.error_rate == pytest.approx(0.25)
    assert w.p99 is not None and w.p99 <= 0.025  # the 3 s /health latencies are left out


def test_samples_without_a_route_label_count():
    text = ('# TYPE http_requests_total counter\n'
            'http_requests_total{status="200"} 7\n'
            'http_requests_total{route="/metrics",status="200"} 50\n'
            '# TYPE http_request_duration_seconds histogram\n'
            'http_request_duration_seconds_bucket{le="+Inf"} 7\n'
            'http_request_duration_seconds_bucket{route="/metrics",le="+Inf"} 50\n')
    s = parse(text, 0)
    assert s.requests == 7 and s.buckets == {float("inf"): 7}

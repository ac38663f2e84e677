"""Each trigger fires on a sequence that crosses it and stays quiet on one that does not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cutover.watch.metrics import Scrape, parse, quantile, window
from cutover.watch.triggers import INVESTIGATE, ROLLBACK, Sample, Thresholds, evaluate, exit_code


def series(rate: float | None, seconds: float, step: float = 15.0, **kw) -> list[Sample]:
    n = int(seconds // step)
    return [Sample(at=i * step, error_rate=rate, **kw) for i in range(n + 1)]


def triggers(samples):
    return {f.trigger: f for f in evaluate(samples)}


def test_healthy_sequence_is_quiet():
    assert exit_code(evaluate(series(0.001, 600, p99=0.2))) == 0


def test_error_rate_sustained_five_minutes_fires_s1():
    found = triggers(series(0.011, 300))
    assert found["error_rate"].severity == "S1" and found["error_rate"].action == ROLLBACK


def test_error_rate_at_exactly_one_percent_does_not_fire():
    assert exit_code(evaluate(series(0.01, 900))) == 0


def test_four_minutes_fifty_nine_is_not_sustained():
    samples = series(0.05, 299, step=1.0)
    assert samples[-1].at - samples[0].at == 299
    found = triggers(samples)
    assert found["error_rate"].action == INVESTIGATE


def test_a_healthy_sample_resets_the_window():
    samples = series(0.05, 200) + [Sample(at=215, error_rate=0.0)] + [
        Sample(at=230 + 15 * i, error_rate=0.05) for i in range(15)]
    assert exit_code(evaluate(samples)) == INVESTIGATE


def test_replay_attack_fires_s0_immediately():
    samples = [*series(0.0, 30), Sample(at=45, error_rate=0.0, replay_events=1)]
    assert triggers(samples)["replay_attack"].severity == "S0"
    assert exit_code(evaluate(samples)) == ROLLBACK


def test_hardening_failure_fires_s0():
    samples = [Sample(at=0, error_rate=0.0, hardening_failures=["rls_forced"])]
    found = triggers(samples)
    assert found["hardening"].action == ROLLBACK and "rls_forced" in found["hardening"].message


def test_p99_above_two_seconds_is_investigate_and_at_two_is_quiet():
    assert triggers([Sample(at=0, error_rate=0.0, p99=2.01)])["latency"].action == INVESTIGATE
    assert "latency" not in triggers([Sample(at=0, error_rate=0.0, p99=2.0)])


def test_unready_is_an_alert():
    assert triggers([Sample(at=0, error_rate=0.0, ready=False)])["ready"].action == INVESTIGATE
    assert triggers([Sample(at=0, error_rate=0.0, ready=None)])["ready"].action == INVESTIGATE


def test_no_data_is_never_healthy_and_fires_when_it_lasts():
    assert exit_code(evaluate(series(None, 30))) == INVESTIGATE
    # misses beyond max_misses count as breaching; 5 minutes of that is S1
    long = series(None, 15 * 3 + 300)
    assert triggers(long)["error_rate"].action == ROLLBACK
    assert "no data" in triggers(long)["error_rate"].message


@given(st.floats(0, 1), st.floats(0, 1))
def test_exit_code_is_monotone_in_the_error_rate(a, b):
    lo, hi = sorted((a, b))
    t = Thresholds()
    assert exit_code(evaluate(series(lo, 400), t)) <= exit_code(evaluate(series(hi, 400), t))


METRICS = """# TYPE http_requests_total counter
http_requests_total{{route="/api/v1/plans",method="GET",status="200"}} {ok}
http_requests_total{{route="/api",method="GET",status="503"}} {err}
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{{le="0.1"}} {b1}
http_request_duration_seconds_bucket{{le="1.0"}} {b2}
http_request_duration_seconds_bucket{{le="+Inf"}} {b3}
http_request_duration_seconds_count {b3}
http_request_duration_seconds_sum 1.0
"""


def test_rates_come_from_the_difference_of_two_scrapes():
    a = parse(METRICS.format(ok=100, err=0, b1=100, b2=100, b3=100), 0)
    b = parse(METRICS.format(ok=190, err=10, b1=150, b2=200, b3=200), 60)
    w = window(a, b)
    assert w.requests == 100 and w.errors_5xx == 10 and w.error_rate == pytest.approx(0.1)
    assert 0.1 < w.p99 <= 1.0


def test_counter_reset_counts_from_zero():
    a = parse(METRICS.format(ok=1000, err=0, b1=1, b2=1, b3=1), 0)
    b = parse(METRICS.format(ok=10, err=0, b1=10, b2=10, b3=10), 15)
    assert window(a, b).requests == 10


def test_quantile_edges():
    assert quantile(0.99, {}) is None
    assert quantile(0.99, {1.0: 0, float("inf"): 0}) is None
    assert quantile(0.5, {1.0: 10, 2.0: 20, float("inf"): 20}) == pytest.approx(1.0)
    assert quantile(0.99, {1.0: 0, float("inf"): 5}) == 1.0  # beyond the last finite bucket


def test_no_requests_window_has_no_rate():
    a = Scrape(0, 5, 0, {})
    assert window(a, Scrape(15, 5, 0, {})).error_rate is None


def test_unreadable_database_fires_like_a_dead_metrics_endpoint():
    """The same bounded misses: beyond max_misses in a row, 5 minutes of it is S1."""
    dead_metrics = series(None, 15 * 3 + 300)
    dead_db = series(0.0, 15 * 3 + 300, database_ok=False)
    assert triggers(dead_db)["error_rate"].action == ROLLBACK
    assert triggers(dead_db)["error_rate"].message.startswith("5xx rate 0.00%, database unreadable")
    assert exit_code(evaluate(dead_db)) == exit_code(evaluate(dead_metrics)) == ROLLBACK
    for n in range(1, 30):  # a breach starts at the same sample for both, held as long
        a = triggers(dead_db[:n]).get("error_rate")
        b = triggers(dead_metrics[:n]).get("error_rate")
        assert (a and (a.severity, a.action)) == (b and (b.severity, b.action))


def test_misses_of_either_kind_add_up_and_a_full_sample_resets_them():
    mixed = [Sample(at=15 * i, error_rate=None if i % 2 else 0.0, database_ok=bool(i % 2))
             for i in range(30)]
    assert triggers(mixed)["error_rate"].action == ROLLBACK
    healed = [*mixed[:3], Sample(at=45, error_rate=0.0), *series(0.0, 300)[4:]]
    assert exit_code(evaluate(healed)) == 0


def test_one_unreadable_database_sample_is_not_healthy():
    found = triggers([Sample(at=0, error_rate=0.0, database_ok=False)])
    assert found["database"].action == INVESTIGATE
    assert "could not be read" in found["database"].message
    assert exit_code(evaluate([Sample(at=0, error_rate=0.0, database_ok=False)])) == INVESTIGATE


def test_the_terminal_table_says_readiness_in_words():
    """The table a person reads at 02:00 says ready / NOT READY / no answer, never
    Python's True/False/None."""
    from rich.console import Console

    from cutover.watch.loop import _table

    samples = [Sample(at=0, error_rate=0.0, ready=True), Sample(at=5, error_rate=0.0, ready=False),
               Sample(at=10, error_rate=None, ready=None)]
    console = Console(record=True, width=140)
    console.print(_table(samples, []))
    text = console.export_text()
    assert "ready" in text and "NOT READY" in text and "no answer" in text
    assert not {"True", "False", "None"} & set(text.split())

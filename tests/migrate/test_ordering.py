"""Ordering by number then letter, whatever names hypothesis comes up with."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from cutover.migrate.files import discover, parse_name, version_key

versions = st.tuples(st.integers(0, 999), st.sampled_from(["", *"abcdefz"])).map(
    lambda t: f"{t[0]:03d}{t[1]}")
slugs = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)


@given(st.lists(st.tuples(versions, slugs), min_size=1, max_size=12, unique_by=lambda t: t[0]))
def test_discover_orders_by_number_then_letter(tmp_path_factory, entries):
    d = tmp_path_factory.mktemp("order")
    names = [f"{v}_{s}.sql" for v, s in entries]
    random.Random(len(names)).shuffle(names)
    for name in names:
        (d / name).write_text("SELECT 1;")
    got = [m.version for m in discover(d)]
    assert got == sorted((v for v, _ in entries), key=lambda v: (int(v[:3]), v[3:]))


@given(versions, slugs)
def test_parse_name_round_trips(version, slug):
    assert parse_name(f"{version}_{slug}.sql") == (version, f"{version}_{slug}")


def test_letter_versions_sort_between_numbers():
    assert sorted(["026", "025b", "025", "025a", "100", "099z"], key=version_key) == [
        "025", "025a", "025b", "026", "099z", "100"]


@given(st.text(max_size=20))
def test_arbitrary_names_never_crash_the_parser(name):
    parsed = parse_name(name)
    assert parsed is None or name.endswith(".sql")

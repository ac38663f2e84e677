"""The hardening keeps the platform's materialized views whole (issue 20, 025g).

FORCE ROW LEVEL SECURITY (025a) binds a table's owner too, and REFRESH MATERIALIZED VIEW runs
the view's query as the view's owner with no tenant set: a view owned by a role that sees
its base tables only through tenant policies comes out empty at its next refresh.
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from cutover.migrate.runner import RunnerOptions, migrate

from .helpers import HARDENING, MIGRATIONS

MATVIEWS = ("SELECT format('%I.%I', schemaname, matviewname) FROM pg_catalog.pg_matviews"
            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")


def matview_rows(url: str) -> dict[str, list[tuple]]:
    """Every materialized view's rows, sorted (read as the superuser: views carry no RLS)."""
    with psycopg.connect(url) as conn:
        names = [r[0] for r in conn.execute(MATVIEWS)]
        return {n: sorted(conn.execute(sql.SQL("SELECT * FROM {}").format(  # type: ignore
            sql.SQL(n))).fetchall()) for n in names}


def refresh_as_owner(url: str) -> None:
    """What the platform's refresh job does: REFRESH as solvereign_owner, no tenant set."""
    with psycopg.connect(url) as conn:
        conn.execute("SET ROLE solvereign_owner")
        for (name,) in conn.execute(MATVIEWS).fetchall():
            conn.execute(sql.SQL("REFRESH MATERIALIZED VIEW {}").format(sql.SQL(name)))


@pytest.mark.parametrize("version", HARDENING)
def test_matviews_keep_their_rows_through_the_series(make_platform, version: str) -> None:
    """Applied up to each file, then refreshed by the owner's job: the same rows as before
    the cutover (and not none)."""
    db = make_platform("pre")
    before = matview_rows(db.url("postgres"))
    assert before and all(before.values()), before
    migrate(db.url("solvereign_migrator"), MIGRATIONS, RunnerOptions(target=version))
    assert matview_rows(db.url("postgres")) == before, f"rows changed by {version}"
    if version < HARDENING[-1]:
        return  # the refresh is judged on the finished series: 025a..025f empty it (025g)
    refresh_as_owner(db.url("solvereign_migrator"))
    assert matview_rows(db.url("postgres")) == before, "the owner's refresh lost rows"


def test_no_role_sees_more_through_the_reporting_policies(make_platform) -> None:
    """The reporting policies hold only for the reporting role itself: the owner, the api
    and the platform role see no more base rows than before 025g."""
    db = make_platform("latest")
    with psycopg.connect(db.url("solvereign_migrator")) as conn:
        conn.execute("SET ROLE solvereign_owner")
        assert conn.execute("SELECT count(*) FROM routing.route_stops").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM routing.routes").fetchone() == (0,)
        conn.execute("SET ROLE solvereign_reporting")
        assert conn.execute("SELECT count(*) FROM routing.route_stops").fetchone()[0] > 0

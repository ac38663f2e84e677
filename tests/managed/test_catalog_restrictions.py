"""A managed service may hide catalogs from every non-superuser (Azure Flexible Server:
pg_subscription). A check that cannot read what it judges says so: WARN "not verified",
naming the catalog, never a traceback and never a silent PASS; what it can still judge
(publications) still fails when broken."""

from __future__ import annotations

import contextlib

import psycopg

from cutover.pg.url import with_database
from tests.platform import run_gate, statuses

PM092 = "checks/p3_postmigration/test_pm092_replication_objects.py"


@contextlib.contextmanager
def _subscriptions_hidden(db):
    """pg_subscription unreadable for non-superusers, as Azure does (its column grants live
    in each database's pg_attribute: revoked in the target's, restored afterwards)."""
    with psycopg.connect(with_database(db.admin_url, db.dbname), autocommit=True) as conn:
        cols = [r[0] for r in conn.execute(
            "SELECT a.attname FROM pg_attribute a CROSS JOIN aclexplode(a.attacl) x"
            " WHERE a.attrelid = 'pg_catalog.pg_subscription'::regclass AND x.grantee = 0"
            " ORDER BY a.attnum")]
        collist = ", ".join(f'"{c}"' for c in cols)
        conn.execute(f"REVOKE SELECT ({collist}) ON pg_catalog.pg_subscription FROM PUBLIC")
        try:
            yield
        finally:
            conn.execute(f"GRANT SELECT ({collist}) ON pg_catalog.pg_subscription TO PUBLIC")


def test_unreadable_subscriptions_are_not_verified(make_platform):
    db = make_platform("latest")
    with _subscriptions_hidden(db):
        _, result = run_gate(db, PM092, marker="postmigration")
    check = next(c for c in result["checks"] if c["check_id"] == "PM-092")
    assert check["status"] == "WARN", check
    assert "not verified: subscriptions" in check["message"]
    assert "pg_catalog.pg_subscription" in check["message"]


def test_publications_still_fail_when_subscriptions_are_unreadable(make_platform):
    db = make_platform("latest")
    with psycopg.connect(db.url(), autocommit=True) as conn:
        conn.execute("SET ROLE solvereign_owner")
        conn.execute("CREATE PUBLICATION leak FOR TABLE core.tenants")
    with _subscriptions_hidden(db):
        _, result = run_gate(db, PM092, marker="postmigration")
    check = next(c for c in result["checks"] if c["check_id"] == "PM-092")
    assert statuses(result)["PM-092"] == "FAIL", check
    assert "publication leak" in check["message"]

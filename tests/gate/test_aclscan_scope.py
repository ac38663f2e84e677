"""The ACL scan (cutover/gate/aclscan.sql, shipped in the library) and the catalog checks
judge the same schemas: the scope rule is written in _app_schemas.sql and repeated in the
scan's first CTE, and this test keeps the two equal."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _where(sql: str) -> str:
    """The WHERE clause of the scope query, whitespace-normalised, comments dropped."""
    body = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    match = re.search(r"FROM pg_namespace\s+(WHERE .*?\$')", body, re.S)
    assert match, "no scope rule found"
    return " ".join(match.group(1).split())


def test_acl_scan_uses_the_scope_rule_of_the_checks():
    checks = (REPO / "checks/p3_postmigration/_app_schemas.sql").read_text()
    scan = resources.files("cutover.gate").joinpath("aclscan.sql").read_text()
    assert _where(checks) == _where(scan)

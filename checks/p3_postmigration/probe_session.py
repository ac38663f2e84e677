"""The api role's own session for the probe checks (PM-080, PM-081), opened one way.

Not a check module. A missing login is "not verified" (WARN, never PASS); a session that
cannot start, or a malformed timeout, fails the check in one line naming why.
"""

from __future__ import annotations

import psycopg
import pytest

from checks.p3_postmigration import probe_targets as targets
from cutover.errors import CutoverError


def api_session(target, *, read_only: bool, kind: str) -> psycopg.Connection:
    """Connect as SOLVEREIGN_API_DB_URL with the probes' pinned timeouts and search_path."""
    url = target.setting("SOLVEREIGN_API_DB_URL")
    if not url:
        pytest.skip("not verified: SOLVEREIGN_API_DB_URL (the api role's login) is not set")
    try:
        timeout = targets.statement_timeout(target.setting("SOLVEREIGN_PROBE_STATEMENT_TIMEOUT"))
        return targets.open_session(url, timeout, read_only=read_only,
                                    application_name=f"cutover-probe-{kind.replace('-', '')}")
    except (ValueError, CutoverError) as exc:
        pytest.fail(f"{kind} probes cannot start: {exc}", pytrace=False)

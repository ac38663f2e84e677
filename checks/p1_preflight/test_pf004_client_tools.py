"""PF-004: pg_dump and pg_restore exist and are not older than the server."""

import pytest

from cutover.pg.tools import tool_version

pytestmark = [pytest.mark.preflight]


@pytest.mark.dependency(name="PF-004", depends=["PF-001"], scope="session")
@pytest.mark.check(id="PF-004", severity="blocker", runbook="§2.4",
                   remediation="Install client tools of the server's major version or newer and "
                               "put them first on PATH (or set SOLVEREIGN_PG_BIN).")
def test_pf004_dump_tools_match_server(gate_db, target, evidence):
    """A dump taken by an older pg_dump may not restore; refuse before the window."""
    server_major = gate_db.execute("SELECT current_setting('server_version_num')::int / 10000"
                                   ).fetchone()[0]
    problems = []
    for tool in ("pg_dump", "pg_restore"):
        path, major, text = tool_version(tool, target.setting("SOLVEREIGN_PG_BIN"))
        evidence.data[tool] = {"path": path, "version": text}
        if path is None:
            problems.append(f"{tool} not found")
        elif major is None or major < server_major:
            problems.append(f"{tool} at {path} is {text!r}, older than server {server_major}")
    evidence.offenders = problems
    assert not problems, "; ".join(problems)

"""PF-009: the API's /health answers (when an API URL is given)."""

import httpx
import pytest

pytestmark = [pytest.mark.preflight, pytest.mark.health, pytest.mark.postrollback]


@pytest.mark.check(id="PF-009", severity="blocker", runbook="§1.2",
                   remediation="Start or fix the API deployment before the window.")
def test_pf009_api_health_answers(target, evidence):
    """A dead API before the window is a dead API after it."""
    if not target.api_url:
        pytest.skip("not applicable: no API URL configured (--api-url / SOLVEREIGN_API_URL)")
    try:
        resp = httpx.get(target.api_url.rstrip("/") + "/health", timeout=10)
    except httpx.HTTPError as exc:
        pytest.fail(f"{target.api_url}/health did not answer: {exc}", pytrace=False)
    evidence.data["health"] = {"status_code": resp.status_code, "body": resp.text[:500]}
    assert resp.status_code == 200, f"/health answered HTTP {resp.status_code}"
    assert resp.json().get("status") == "healthy", f"/health says {resp.text[:200]}"

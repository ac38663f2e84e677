"""PF-002: required settings are present and valid (secrets 32+ bytes, env consistent)."""

import pytest

from cutover.errors import ConfigError
from cutover.settings import boolean, environment, log_level, secret

pytestmark = [pytest.mark.preflight, pytest.mark.security]
SECRETS = ("SOLVEREIGN_SESSION_SECRET", "SOLVEREIGN_HMAC_SECRET")


def _problems(target) -> list[str]:
    """Every invalid setting, by name (never by value)."""
    env = {k: v for k in (*SECRETS, "SOLVEREIGN_ENV", "SOLVEREIGN_LOG_LEVEL",
                          "SOLVEREIGN_PLATFORM_WRITES_DISABLED")
           if (v := target.setting(k)) is not None}
    problems = []
    for validate in [*(lambda n=n: secret(n, env) for n in SECRETS),
                     lambda: environment(None, env), lambda: log_level(env),
                     lambda: boolean("SOLVEREIGN_PLATFORM_WRITES_DISABLED", env)]:
        try:
            validate()
        except ConfigError as exc:
            problems.append(str(exc))
    if env.get("SOLVEREIGN_ENV") and env["SOLVEREIGN_ENV"] != target.env:
        problems.append(f"SOLVEREIGN_ENV={env['SOLVEREIGN_ENV']} but the gate runs with "
                        f"--env {target.env}")
    return problems


@pytest.mark.check(id="PF-002", severity="blocker", runbook="§1.3",
                   remediation="Set the missing or invalid variables in the deployment's "
                               "secret store; secrets need at least 32 random bytes.")
def test_pf002_settings_present_and_valid(target, evidence):
    """SOLVEREIGN_* settings present, secrets long enough, env consistent."""
    problems = _problems(target)
    evidence.offenders = [p.split(" ", 1)[0] for p in problems]
    evidence.data["checked"] = [*SECRETS, "SOLVEREIGN_ENV", "SOLVEREIGN_LOG_LEVEL",
                                "SOLVEREIGN_PLATFORM_WRITES_DISABLED"]
    assert not problems, "; ".join(problems)

"""PF-012: the last-known-good file parses and names a real commit.

From a source checkout git proves the commit exists; an installed wheel has no history to
ask, so there the sha is only checked for form and the check says it was not verified."""

import json
import subprocess
from pathlib import Path

import pytest

from cutover import home, release

pytestmark = [pytest.mark.preflight]
LKG = Path(".claude/state/last-known-good.json")
FIELDS = ("rollback_sha", "timestamp")


@pytest.mark.check(id="PF-012", severity="major", runbook="§7.2",
                   remediation="Restore last-known-good.json from the previous approved bundle.")
def test_pf012_last_known_good_is_usable(target, evidence):
    """The rollback reads it: a broken file is found now, not mid-rollback."""
    path = Path(target.setting("SOLVEREIGN_LKG_FILE") or LKG)
    if not path.exists():
        pytest.skip(f"not applicable: {path} does not exist yet (no cutover recorded)")
    try:
        data = json.loads(path.read_text())
    except ValueError as exc:
        pytest.fail(f"{path} is not valid JSON ({exc})", pytrace=False)
    missing = [f for f in FIELDS if not data.get(f)]
    assert not missing, f"{path} lacks {', '.join(missing)}"
    sha = str(data["rollback_sha"])
    assert release.SHA.fullmatch(sha), f"{path}: rollback_sha {sha!r} is not a commit sha"
    if not home.is_checkout():
        evidence.data.update(file=str(path), rollback_sha=sha, known=None)
        pytest.skip(f"not verified: no git checkout to prove {sha} is a commit "
                    "(running from an installed wheel)")
    known = subprocess.run(["git", "cat-file", "-e", f"{sha}^{{commit}}"],
                           capture_output=True, check=False).returncode == 0
    evidence.data.update(file=str(path), rollback_sha=sha, known=known)
    assert known, f"{path}: rollback_sha {sha} is not a commit of this repository"

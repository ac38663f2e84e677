"""PF-011: the RC tag is the release about to run (when --rc-tag is given).

In a source checkout the tag must resolve to the checked-out commit (git). An installed
wheel has no checkout: there the deployment's release manifest (SOLVEREIGN_RELEASE_MANIFEST,
cutover.release) must name the same RC tag; with neither, nothing proves the tag: FAIL.
"""

import subprocess
from pathlib import Path

import pytest

from cutover import home, release
from cutover.errors import ConfigError

pytestmark = [pytest.mark.preflight]


def _rev(ref: str) -> str | None:
    proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                          capture_output=True, text=True, check=False)
    return proc.stdout.strip() or None


def _manifest_tag(target, evidence) -> str:
    """The deployed release's RC tag from its manifest; fails naming what is missing."""
    path = target.setting(release.MANIFEST_VAR)
    assert path, (f"RC tag {target.rc_tag} cannot be proven: no git checkout and no release "
                  f"manifest ({release.MANIFEST_VAR}) names the deployed release")
    try:
        found = release.read_manifest(Path(path))
    except ConfigError as exc:
        pytest.fail(str(exc), pytrace=False)
    evidence.data.update(manifest=path, manifest_rc_tag=found.rc_tag, release_sha=found.sha)
    assert found.rc_tag, f"release manifest {path} names no rc_tag"
    return found.rc_tag


@pytest.mark.check(id="PF-011", severity="blocker", runbook="§1.4",
                   remediation="Check out the release candidate tag (or deploy the release "
                   "whose manifest names it) before running the window.")
def test_pf011_rc_tag_is_checked_out(target, evidence):
    """Migrating from another commit than the approved RC means unreviewed SQL."""
    if not target.rc_tag:
        pytest.skip("not applicable: no --rc-tag given")
    evidence.data.update(rc_tag=target.rc_tag, checkout=home.is_checkout())
    if not home.is_checkout():
        deployed = _manifest_tag(target, evidence)
        assert deployed == target.rc_tag, (f"RC tag {target.rc_tag} is not the deployed "
                                           f"release: its manifest names {deployed}")
        return
    tagged, head = _rev(target.rc_tag), _rev("HEAD")
    evidence.data.update(tag_commit=tagged, head=head)
    assert tagged, f"RC tag {target.rc_tag} does not resolve to a commit"
    assert tagged == head, f"RC tag {target.rc_tag} is {tagged[:12]} but HEAD is {head}"

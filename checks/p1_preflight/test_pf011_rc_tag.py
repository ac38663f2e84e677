"""PF-011: the RC tag resolves to the checked-out commit (when --rc-tag is given)."""

import subprocess

import pytest

pytestmark = [pytest.mark.preflight]


def _rev(ref: str) -> str | None:
    proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                          capture_output=True, text=True, check=False)
    return proc.stdout.strip() or None


@pytest.mark.check(id="PF-011", severity="blocker", runbook="§1.4",
                   remediation="Check out the release candidate tag before running the window.")
def test_pf011_rc_tag_is_checked_out(target, evidence):
    """Migrating from another commit than the approved RC means unreviewed SQL."""
    if not target.rc_tag:
        pytest.skip("not applicable: no --rc-tag given")
    tagged, head = _rev(target.rc_tag), _rev("HEAD")
    evidence.data.update(rc_tag=target.rc_tag, tag_commit=tagged, head=head)
    assert tagged, f"RC tag {target.rc_tag} does not resolve to a commit"
    assert tagged == head, f"RC tag {target.rc_tag} is {tagged[:12]} but HEAD is {head}"

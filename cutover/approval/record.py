"""Human approval (runbook §6): the record an approver signs, and the check before enabling.

Approval is refused while the bundle does not verify, any blocker of the §6.1
checklist is not PASS, the artifacts name different targets (cutover.approval.targets:
another database, another ledger head or schema, a target that moved while judged), or a
waiver breaks the policy (cutover.approval.waivers). With a database URL it also re-reads
the live database and refuses if it is no longer what the artifacts judged. The record
pins the bundle by the digest of its artifacts (every file but the record itself), names
the judged target and lists every waiver applied, so enabling writes can later prove
that the approval belongs to exactly this bundle, unchanged since, and to exactly this
database state (require_live_target).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from cutover import release
from cutover.approval import binding, checklist, targets
from cutover.approval import waivers as bundle_waivers
from cutover.errors import CutoverError
from cutover.evidence import bundle
from cutover.evidence.keys import EvidenceKey
from cutover.pg.url import endpoint

RECORD = "approval_record.json"
# Written into the bundle after the approval, by the steps the approval allows; the
# re-seal after each covers them, and the approval still holds for what it judged.
AFTER_APPROVAL = (RECORD, "enable_record.json", "last_known_good.json")  # lkg.BUNDLE_COPY


class ApprovalRefused(CutoverError):
    """The bundle cannot be approved (or an approval does not hold): exit 1."""

    exit_code = 1


@dataclass(frozen=True)
class ApprovalRecord:
    """What the approver signed."""

    approver: str
    rc_tag: str | None
    commit: str | None
    timestamp: str
    summary_sha256: str
    bundle_digest: str
    auto_approved: bool
    checklist: list[dict]
    target: dict | None = None  # the one database state every artifact judged
    waivers: list[dict] | None = None  # every waiver the gate verdicts applied
    live_checked: str | None = None  # the endpoint re-read at approval, if one was given


def bundle_digest(folder: Path) -> str:
    """sha256 over every artifact's hash except the records written after approval."""
    hashes = {p: h for p, h in bundle.artifact_hashes(Path(folder)).items()
              if p not in AFTER_APPROVAL}
    return hashlib.sha256(bundle.canonical_json(hashes)).hexdigest()


def _commit() -> str | None:
    """The release being approved: SOLVEREIGN_RELEASE_SHA, the release manifest, else HEAD
    of the checkout this tool runs from (git is optional: cutover.release)."""
    return release.resolve().sha


def review(folder: Path, secret: EvidenceKey) -> list[checklist.Judged]:
    """The checklist, after refusing a bundle that does not verify."""
    result = bundle.verify(folder, secret)
    if not result.ok:
        raise ApprovalRefused("the evidence bundle does not verify: " + "; ".join(result.lines()))
    return checklist.judge(folder)


def judged(folder: Path) -> tuple[binding.Binding, list[dict]]:
    """The target every artifact judged and the waivers applied, or ApprovalRefused naming
    every disagreement and every waiver the policy does not allow."""
    target, problems = targets.judged_target(folder)
    waivers = bundle_waivers.applied(folder, skip=AFTER_APPROVAL)
    problems += bundle_waivers.policy_problems(waivers)
    if problems or target is None:
        raise ApprovalRefused("approval refused; the artifacts do not judge one target: "
                              + "; ".join(problems))
    return target, waivers


def require_live_target(expected: dict | None, db_url: str) -> binding.Binding:
    """The live database is still what was judged, and no migration runner is at work;
    ApprovalRefused naming every difference otherwise."""
    want = binding.Binding.from_doc(expected)
    if want is None or not want.schema_fingerprint:
        raise ApprovalRefused(f"{RECORD} names no judged target (approved before targets "
                              "were bound): approve the bundle again")
    live = binding.read_url(db_url)
    problems = binding.differences(want, live)
    problems += [f"a migration runner is at work: {s}" for s in binding.runner_sessions(db_url)]
    if problems:
        raise ApprovalRefused(f"the live database ({endpoint(db_url)}) is not what was "
                              "judged and approved: " + "; ".join(problems))
    return live


def approve(folder: Path, approver: str, secret: EvidenceKey, *, auto: bool = False,
            db_url: str | None = None) -> ApprovalRecord:
    """Write approval_record.json and re-seal, or refuse naming every blocking item."""
    folder = Path(folder)
    if not approver.strip():
        raise ApprovalRefused("--approver must name a person")
    judged_items = review(folder, secret)
    blocking = [j for j in judged_items if j.blocking]
    if blocking:
        raise ApprovalRefused("approval refused; blockers not PASS: " + "; ".join(
            f"{j.item.title} [{j.status}: {j.summary}]" for j in blocking))
    target, waivers = judged(folder)
    if db_url:
        require_live_target(target.as_dict(), db_url)
    summary = bundle.load_summary(folder)
    record = ApprovalRecord(
        approver=approver.strip(), rc_tag=summary.get("rc_tag"), commit=_commit(),
        timestamp=datetime.now(UTC).isoformat(),
        summary_sha256=bundle.summary_sha256(folder), bundle_digest=bundle_digest(folder),
        auto_approved=auto,
        checklist=[{"item": j.item.key, "status": j.status, "evidence": j.summary}
                   for j in judged_items],
        target=target.as_dict(), waivers=waivers,
        live_checked=endpoint(db_url) if db_url else None)
    bundle.write_json(folder / RECORD, asdict(record))
    bundle.seal(folder, secret, approval={"approver": record.approver,
                                            "auto_approved": auto,
                                            "timestamp": record.timestamp})
    return record


def require_approval(folder: Path, secret: EvidenceKey) -> dict:
    """The approval of this exact bundle, or ApprovalRefused saying why not."""
    folder = Path(folder)
    path = folder / RECORD
    if not path.exists():
        raise ApprovalRefused(f"no {RECORD} in {folder}: run `cutover approve` first "
                              "(or --override-approval REASON)")
    result = bundle.verify(folder, secret)
    if not result.ok:
        raise ApprovalRefused("the approved bundle changed since: " + "; ".join(result.lines()))
    record = json.loads(path.read_text())
    if record.get("bundle_digest") != bundle_digest(folder):
        raise ApprovalRefused(f"{RECORD} does not belong to the artifacts in {folder}")
    return record


def latest_bundle(root: Path = Path("artifacts")) -> Path | None:
    """The newest prod_cutover_* bundle under `root`, if any."""
    found = sorted(p for p in root.glob("prod_cutover_*") if p.is_dir())
    return found[-1] if found else None

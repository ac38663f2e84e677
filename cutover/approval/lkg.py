"""The last-known-good record (`.claude/state/last-known-good.json`, runbook §7.2 / §9.2).

Written after a successful cutover; read by the rollback, which redeploys its
`rollback_sha`. The rollback runs at the worst moment, so a malformed file is one clear
ConfigError naming the field, found before anything is changed, never a traceback.
SOLVEREIGN_LKG_FILE overrides the path (tests, and installs that keep state elsewhere).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cutover import atomicfile
from cutover.approval import record as approval
from cutover.errors import ConfigError
from cutover.evidence import bundle
from cutover.evidence.keys import EvidenceKey

DEFAULT_PATH = Path(".claude/state/last-known-good.json")
PATH_VAR = "SOLVEREIGN_LKG_FILE"
BUNDLE_COPY = "last_known_good.json"  # the record's copy inside the evidence bundle
_SHA1 = re.compile(r"^[0-9a-f]{7,40}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class LastKnownGood:
    """The runbook's fields: what to roll back to, and the evidence it was good."""

    rollback_sha: str
    rc_tag: str
    timestamp: str
    ledger_head: str | None
    backup: dict[str, str]  # {"path": ..., "sha256": ...}
    evidence_bundle: dict[str, str]  # {"path": ..., "summary_sha256": ...}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def default_path(env: Mapping[str, str] | None = None) -> Path:
    """SOLVEREIGN_LKG_FILE, else `.claude/state/last-known-good.json` (relative to the cwd,
    where the runbook runs)."""
    env = os.environ if env is None else env
    value = env.get(PATH_VAR)
    if value is not None and not value.strip():
        raise ConfigError(f"{PATH_VAR} is set but empty; expected a file path")
    return Path(value) if value else DEFAULT_PATH


def _field(path: Path, doc: dict, name: str, pattern: re.Pattern | None = None,
           optional: bool = False) -> str | None:
    value = doc.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"last-known-good file {path}: {name} is missing or empty")
    if pattern and not pattern.match(value):
        raise ConfigError(f"last-known-good file {path}: {name} {value[:80]!r} is malformed")
    return value


def _pair(path: Path, doc: dict, name: str, hash_key: str) -> dict[str, str]:
    value = doc.get(name)
    if not isinstance(value, dict):
        raise ConfigError(f"last-known-good file {path}: {name} must be an object "
                          f"with path and {hash_key}")
    return {"path": str(_field(path, value, "path")),
            hash_key: str(_field(path, value, hash_key, _SHA256))}


def validate(path: Path, doc: Any) -> LastKnownGood:
    """A LastKnownGood from a parsed document, or ConfigError naming the bad field."""
    if not isinstance(doc, dict):
        raise ConfigError(f"last-known-good file {path} is not a JSON object")
    stamp = str(_field(path, doc, "timestamp"))
    try:
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"last-known-good file {path}: timestamp {stamp!r} is not "
                          "ISO 8601") from None
    if parsed.tzinfo is None:
        raise ConfigError(f"last-known-good file {path}: timestamp {stamp!r} has no time zone")
    return LastKnownGood(
        rollback_sha=str(_field(path, doc, "rollback_sha", _SHA1)),
        rc_tag=str(_field(path, doc, "rc_tag")),
        timestamp=stamp,
        ledger_head=_field(path, doc, "ledger_head", optional=True),
        backup=_pair(path, doc, "backup", "sha256"),
        evidence_bundle=_pair(path, doc, "evidence_bundle", "summary_sha256"),
    )


def read(path: Path | None = None) -> LastKnownGood | None:
    """The record, None when there is none yet; ConfigError when it is malformed."""
    path = Path(path) if path else default_path()
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read last-known-good file {path}: {exc.strerror}") from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"last-known-good file {path} is not valid JSON ({exc})") from None
    return validate(path, doc)


def write(record: LastKnownGood, path: Path | None = None) -> Path:
    """Validate and write atomically (a reader sees the old record or the new one)."""
    path = Path(path) if path else default_path()
    validate(path, record.to_json())
    atomicfile.write_json(path, record.to_json())
    return path


def _bundle_doc(folder: Path, name: str) -> dict:
    """One JSON artifact of the bundle, or ConfigError naming it."""
    try:
        doc = json.loads((folder / name).read_text())
    except FileNotFoundError:
        raise ConfigError(f"{folder} has no {name}: last-known-good needs it") from None
    except ValueError as exc:
        raise ConfigError(f"{folder}/{name} is not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{folder}/{name} is not a JSON object")
    return doc


def from_bundle(folder: Path, now: str) -> LastKnownGood:
    """The record for an approved bundle whose writes were enabled (runbook §7.2).

    The release is the commit the approver signed (approval_record.json), the backup is
    the one this cutover took (backup_manifest.json), the head is what the migration
    reached, the summary is the one the approver signed; a bundle where writes were never
    enabled is not yet known to be good.
    """
    folder = Path(folder)
    approved = _bundle_doc(folder, "approval_record.json")
    if not approved.get("commit"):
        raise ConfigError(f"{folder}/approval_record.json names no commit (approved outside a "
                          "git checkout?): there is no release to record as last-known-good")
    enabled = _bundle_doc(folder, "enable_record.json")
    if enabled.get("writes_disabled") is not False:
        raise ConfigError(f"{folder}/enable_record.json does not record writes enabled")
    manifest = _bundle_doc(folder, "backup_manifest.json")
    dump = manifest.get("dump") if isinstance(manifest.get("dump"), dict) else {}
    record = {
        "rollback_sha": approved.get("commit"), "rc_tag": approved.get("rc_tag"),
        "timestamp": now,
        "ledger_head": _bundle_doc(folder, "migration_log.json").get("head"),
        "backup": {"path": manifest.get("path"), "sha256": dump.get("sha256")},
        "evidence_bundle": {"path": str(folder.resolve()),
                            "summary_sha256": approved.get("summary_sha256")},
    }
    return validate(folder / "approval_record.json", record)


def record_from_bundle(folder: Path, secret: EvidenceKey, path: Path | None = None, *,
                       db_url: str) -> tuple[Path, LastKnownGood]:
    """Write the last-known-good of an approved bundle, copy it into the bundle, re-seal.

    Refused (ApprovalRefused) unless the approval still holds for the bundle as it is and
    the live database is still the approved one (same cluster, database, ledger head and
    schema, no migration running): a release is known good only for what was judged.
    """
    approved = approval.require_approval(folder, secret)
    approval.require_live_target(approved.get("target"), db_url)
    record = from_bundle(folder, datetime.now(UTC).isoformat())
    written = write(record, path)
    shutil.copy(written, Path(folder) / BUNDLE_COPY)
    problems = bundle.add_to_bundle(folder, secret, [BUNDLE_COPY], last_known_good={
        "rollback_sha": record.rollback_sha, "rc_tag": record.rc_tag})
    if problems:  # verified a moment ago: only a concurrent edit gets here
        raise approval.ApprovalRefused("the bundle changed while recording: " + "; ".join(problems))
    return written, record

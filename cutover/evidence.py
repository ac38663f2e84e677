"""The evidence bundle: every artifact hashed in a summary signed with HMAC (DESIGN §6).

An approver signs on what the bundle says, so the bundle must show any change made
after it was sealed: a file edited, added or removed, or the summary itself forged.
The signature is HMAC-SHA256 over the canonical JSON of the summary without its
signature field, keyed with SOLVEREIGN_HMAC_SECRET.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cutover.errors import ConfigError

SUMMARY = "cutover_summary.json"
# Derived from the bundle and re-rendered at will, so not itself hashed.
DERIVED = ("report.html",)
ALGORITHM = "HMAC-SHA256"


def canonical_json(doc: object) -> bytes:
    """Sorted keys, no insignificant whitespace, ASCII: the bytes that get signed."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def artifact_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder` but the summary and derived pages, by POSIX path."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel != SUMMARY and rel not in DERIVED:
            out[rel] = sha256_file(path)
    return out


def sign(doc: dict, secret: str) -> str:
    """HMAC of the canonical summary (any existing signature excluded)."""
    body = {k: v for k, v in doc.items() if k != "signature"}
    return hmac.new(secret.encode(), canonical_json(body), hashlib.sha256).hexdigest()


def write_json(path: Path, doc: object) -> None:
    """Atomic write of pretty JSON (a half-written artifact must never be signed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as fh:
        json.dump(doc, fh, indent=2, sort_keys=True, default=str)
        fh.write("\n")
    os.replace(tmp, path)


def seal(folder: Path, secret: str, **fields: object) -> dict:
    """(Re)write the summary: given fields, previous fields kept, every artifact hashed, signed."""
    folder = Path(folder)
    path = folder / SUMMARY
    doc: dict = json.loads(path.read_text()) if path.exists() else {}
    doc.pop("signature", None)
    doc.update(fields)
    doc["sealed_at"] = datetime.now(UTC).isoformat()
    doc["artifacts"] = artifact_hashes(folder)
    doc["signature"] = {"algorithm": ALGORITHM, "value": sign(doc, secret)}
    write_json(path, doc)
    return doc


@dataclass
class Verification:
    """What `verify` found; `ok` only when nothing changed and the signature holds."""

    signature_ok: bool
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.signature_ok and not (self.changed or self.added or self.removed)

    def lines(self) -> list[str]:
        out = [] if self.signature_ok else [f"{SUMMARY}: signature does not verify"]
        out += [f"changed: {p}" for p in self.changed]
        out += [f"added:   {p}" for p in self.added]
        out += [f"removed: {p}" for p in self.removed]
        return out


def load_summary(folder: Path) -> dict:
    """The bundle's summary, or a one-line error naming what is wrong."""
    path = Path(folder) / SUMMARY
    if not Path(folder).is_dir():
        raise ConfigError(f"evidence folder does not exist: {folder}")
    if not path.exists():
        raise ConfigError(f"{path} does not exist (not an evidence bundle?)")
    try:
        doc = json.loads(path.read_text())
    except ValueError as exc:
        raise ConfigError(f"{path} is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("artifacts"), dict):
        raise ConfigError(f"{path} has no artifacts table")
    return doc


def verify(folder: Path, secret: str) -> Verification:
    """Compare every file with the summary and check the summary's signature."""
    folder = Path(folder)
    doc = load_summary(folder)
    claimed = doc.get("signature", {}).get("value", "") if isinstance(doc.get("signature"),
                                                                       dict) else ""
    result = Verification(signature_ok=hmac.compare_digest(str(claimed), sign(doc, secret)))
    listed: dict[str, str] = doc["artifacts"]
    actual = artifact_hashes(folder)
    result.changed = sorted(p for p in listed if p in actual and actual[p] != listed[p])
    result.removed = sorted(p for p in listed if p not in actual)
    result.added = sorted(p for p in actual if p not in listed)
    return result


def summary_sha256(folder: Path) -> str:
    """sha256 of the summary file as sealed (what an approval record pins)."""
    return sha256_file(Path(folder) / SUMMARY)


def add_to_bundle(folder: Path, secret: str, written: list[str], **fields: object) -> list[str]:
    """Re-seal a sealed bundle after a command wrote `written` into it.

    Only a bundle that verifies apart from exactly those files is re-sealed, so adding
    our own artifact can never launder someone else's edit; the problems are returned
    instead (empty: sealed, or nothing sealed yet to keep up to date).
    """
    folder = Path(folder)
    if not (folder / SUMMARY).exists():
        return []
    result = verify(folder, secret)
    mine = set(written) | set(DERIVED)
    foreign = Verification(signature_ok=result.signature_ok,
                           changed=[p for p in result.changed if p not in mine],
                           added=[p for p in result.added if p not in mine],
                           removed=[p for p in result.removed if p not in mine])
    if not foreign.ok:
        return foreign.lines()
    seal(folder, secret, **fields)
    return []

"""The evidence bundle: every artifact hashed and the list signed with Ed25519 (docs/artifacts.md).

An approver signs on what the bundle says, so the bundle must show any change made
after it was sealed: a file edited, added, removed or swapped, the summary itself forged,
or a file that is not a plain file at all (a symlink to an identical copy elsewhere, a
symlinked directory, a FIFO or device), whatever its content hashes to. The seal is a
DSSE envelope (`cutover_summary.intoto.jsonl`) over an in-toto Statement v1 with one
subject per artifact, the summary included, signed with the evidence key (see
cutover.evidence.keys); verifying it needs only the public key, never a secret, and
never a key found in the bundle.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cutover.errors import ConfigError
from cutover.evidence.files import (
    DERIVED,
    ENVELOPE,
    SUMMARY,
    UNHASHED,
    write_atomic,
    write_json,
)
from cutover.evidence.keys import EvidenceKey

ALGORITHM = "Ed25519 (DSSE, in-toto Statement v1)"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://solvereign.dev/cutover-evidence/v1"


def canonical_json(doc: object) -> bytes:
    """Sorted keys, no insignificant whitespace, ASCII: the bytes that get signed."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sha256_file(path: Path) -> str:
    """Hex sha256 of a regular file, streamed; a symlink or special file is refused
    (O_NOFOLLOW, and O_NONBLOCK so a FIFO swapped in cannot block the read)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise ConfigError(f"{path} is not a regular file")
        digest = hashlib.sha256()
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Scan:
    """What is in a bundle folder, without following any link."""

    hashes: dict[str, str] = field(default_factory=dict)  # regular files, summary included
    irregular: list[str] = field(default_factory=list)  # "path (kind)"


def _kind(mode: int) -> str | None:
    """Why a directory entry is not a plain file or folder (None when it is one)."""
    for test, name in ((stat.S_ISLNK, "symlink"), (stat.S_ISFIFO, "FIFO"),
                       (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device")):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else "special file"


def scan(folder: Path) -> Scan:
    """Hash every regular file under `folder` but the envelope and derived pages; list
    every symlink, device, FIFO, socket or other special file, never following one."""
    found = Scan()
    _scan(Path(folder), "", found)
    found.irregular.sort()
    return found


def _scan(root: Path, rel: str, found: Scan) -> None:
    with os.scandir(root / rel if rel else root) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            path = f"{rel}/{entry.name}" if rel else entry.name
            mode = entry.stat(follow_symlinks=False).st_mode
            kind = _kind(mode)
            if kind:
                found.irregular.append(f"{path} ({kind})")
            elif stat.S_ISDIR(mode):
                _scan(root, path, found)
            elif path not in UNHASHED:
                try:
                    found.hashes[path] = sha256_file(root / path)
                except (ConfigError, OSError):  # swapped for something else since listed
                    found.irregular.append(f"{path} (changed type while read)")


def artifact_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every regular file but the summary, its envelope and derived pages."""
    return {p: h for p, h in scan(folder).hashes.items() if p != SUMMARY}


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE's pre-authentication encoding: what the signature covers."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def _require_key(key: object, *, signing: bool) -> EvidenceKey:
    if not isinstance(key, EvidenceKey):  # e.g. a caller still passing the HMAC secret
        raise TypeError("evidence is sealed with an EvidenceKey (cutover.evidence.keys), "
                        f"not {type(key).__name__}")
    if signing and key.private is None:
        key.sign(b"")  # raises the one-line ConfigError naming the variable
    return key


def seal(folder: Path, key: EvidenceKey, *, report: bool = False, **fields: object) -> dict:
    """(Re)write the summary (given fields, previous fields kept, every artifact hashed),
    render report.html from it (with `report`, or when the bundle has one) and sign every
    artifact, the summary and the report into the envelope. Refuses a bundle holding
    anything but plain files and folders, before writing anything."""
    key = _require_key(key, signing=True)
    folder = Path(folder)
    found = scan(folder)
    if found.irregular:
        raise ConfigError(f"refusing to seal {folder}: not regular files: "
                          + ", ".join(found.irregular))
    path = folder / SUMMARY
    doc: dict = json.loads(path.read_text()) if path.exists() else {}
    doc.pop("signature", None)
    doc.update(fields)
    doc["sealed_at"] = datetime.now(UTC).isoformat()
    doc.setdefault("run_id", folder.name)
    if not doc.get("release_sha"):
        doc["release_sha"] = _release_sha()
    doc["artifacts"] = {p: h for p, h in found.hashes.items() if p != SUMMARY}
    doc["signature"] = {"algorithm": ALGORITHM, "envelope": ENVELOPE, "keyid": key.keyid}
    write_json(path, doc)
    if report or any((folder / name).exists() for name in DERIVED):
        from cutover.evidence import report as evidence_report  # imports the checklist

        evidence_report.write(folder)
    subjects = {**doc["artifacts"], SUMMARY: sha256_file(path), **derived_hashes(folder)}
    envelope = _envelope(_statement(subjects, doc), key)
    write_atomic(folder / ENVELOPE, canonical_json(envelope) + b"\n")
    return doc


def derived_hashes(folder: Path) -> dict[str, str]:
    """sha256 of each derived page present as a regular file (scan names any other kind)."""
    out = {}
    for name in DERIVED:
        with contextlib.suppress(OSError, ConfigError):
            out[name] = sha256_file(Path(folder) / name)
    return out


def _release_sha() -> str | None:
    """The release this bundle is about, if one is named (cutover.release); a malformed
    setting is the commands' bad input, not the seal's: recorded as unknown here."""
    from cutover import release

    try:
        return release.resolve().sha
    except ConfigError:
        return None


PREDICATE_FIELDS = ("run_id", "rc_tag", "release_sha", "verdict", "phases", "writes_disabled",
                    "sealed_at")


def _statement(subjects: dict[str, str], doc: dict) -> bytes:
    """The in-toto Statement v1: one subject per file; the predicate says which run and
    release, its verdict, the phase timings and the writes-disabled window."""
    return canonical_json({
        "_type": STATEMENT_TYPE,
        "subject": [{"name": name, "digest": {"sha256": digest}}
                    for name, digest in sorted(subjects.items())],
        "predicateType": PREDICATE_TYPE,
        "predicate": {k: doc.get(k) for k in PREDICATE_FIELDS},
    })


def _envelope(payload: bytes, key: EvidenceKey) -> dict:
    signature = key.sign(pae(PAYLOAD_TYPE, payload))
    return {"payloadType": PAYLOAD_TYPE, "payload": base64.b64encode(payload).decode(),
            "signatures": [{"keyid": key.keyid, "sig": base64.b64encode(signature).decode()}]}


@dataclass
class Verification:
    """What `verify` found; `ok` only when nothing changed and the signature holds."""

    signature_ok: bool
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    irregular: list[str] = field(default_factory=list)
    signature_problem: str = ""
    uncovered: list[str] = field(default_factory=list)  # derived pages the seal does not sign

    @property
    def ok(self) -> bool:
        return self.signature_ok and not (self.changed or self.added or self.removed
                                          or self.irregular)

    def lines(self) -> list[str]:
        out = [] if self.signature_ok else [
            f"{ENVELOPE}: signature does not verify"
            + (f" ({self.signature_problem})" if self.signature_problem else "")]
        out += [f"not a regular file: {p}" for p in self.irregular]
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
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("artifacts"), dict):
        raise ConfigError(f"{path} has no artifacts table")
    return doc


def _signed_subjects(folder: Path, key: EvidenceKey) -> tuple[dict[str, str] | None, str]:
    """The subjects of the envelope's statement and "" when `key` signed it; else the
    subjects as far as they can be read (to name changes) and what is wrong."""
    path = folder / ENVELOPE
    try:
        if path.is_symlink() or not path.is_file():
            return None, "missing: the bundle is not signed"
        envelope = json.loads(path.read_bytes().splitlines()[0])
        payload = base64.b64decode(envelope["payload"], validate=True)
        sigs = envelope["signatures"]
        statement = json.loads(payload)
        subjects = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
        kind = envelope["payloadType"]
    except (OSError, IndexError, KeyError, TypeError, ValueError, binascii.Error):
        return None, "malformed envelope"
    if kind != PAYLOAD_TYPE or statement.get("_type") != STATEMENT_TYPE:
        return subjects, f"not an in-toto statement ({kind})"
    for sig in sigs if isinstance(sigs, list) else []:
        try:
            raw = base64.b64decode(sig["sig"], validate=True)
        except (KeyError, TypeError, ValueError, binascii.Error):
            continue
        if key.verifies(raw, pae(kind, payload)):
            return subjects, ""
    keyids = sorted({str(s.get("keyid"))[:16] for s in sigs if isinstance(s, dict)}
                    if isinstance(sigs, list) else set())
    if keyids and key.keyid[:16] not in keyids:
        return subjects, f"signed by a foreign key ({', '.join(keyids)}), not the given one"
    return subjects, "the statement was altered or the signature forged"


def verify(folder: Path, key: EvidenceKey) -> Verification:
    """Compare every file with the signed statement and check its signature."""
    key = _require_key(key, signing=False)
    folder = Path(folder)
    doc = load_summary(folder)
    found = scan(folder)
    actual = dict(found.hashes)
    subjects, problem = _signed_subjects(folder, key)
    if subjects is None:  # nothing signed to compare with: name changes by the summary
        subjects = {str(k): str(v) for k, v in doc["artifacts"].items()}
        subjects[SUMMARY] = actual.get(SUMMARY, "")
    derived = derived_hashes(folder)
    actual.update({name: h for name, h in derived.items() if name in subjects})
    result = Verification(signature_ok=not problem, signature_problem=problem,
                          irregular=found.irregular,
                          uncovered=sorted(n for n in derived if n not in subjects))
    broken = tuple(p.rsplit(" (", 1)[0] for p in found.irregular)

    def shadowed(path: str) -> bool:  # reported as not a regular file (or under one)
        return any(path == b or path.startswith(b + "/") for b in broken)

    result.changed = sorted(p for p in subjects if p in actual and actual[p] != subjects[p])
    result.removed = sorted(p for p in subjects if p not in actual and not shadowed(p))
    result.added = sorted(p for p in actual if p not in subjects)
    return result


def summary_sha256(folder: Path) -> str:
    """sha256 of the summary file as sealed (what an approval record pins)."""
    return sha256_file(Path(folder) / SUMMARY)


def add_to_bundle(folder: Path, key: EvidenceKey, written: list[str],
                  **fields: object) -> list[str]:
    """Re-seal a sealed bundle after a command wrote `written` into it.

    Only a bundle that verifies apart from exactly those files is re-sealed, so adding
    our own artifact can never launder someone else's edit; the problems are returned
    instead (empty: sealed, or nothing sealed yet to keep up to date).
    """
    folder = Path(folder)
    if not (folder / SUMMARY).exists():
        return []
    result = verify(folder, key)
    mine = set(written) | set(DERIVED)
    foreign = Verification(signature_ok=result.signature_ok,
                           signature_problem=result.signature_problem,
                           irregular=result.irregular,
                           changed=[p for p in result.changed if p not in mine],
                           added=[p for p in result.added if p not in mine],
                           removed=[p for p in result.removed if p not in mine])
    if not foreign.ok:
        return foreign.lines()
    seal(folder, key, **fields)
    return []

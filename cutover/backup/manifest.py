"""The backup manifest: what a dump is, where it came from, and what a restore must match.

It sits next to the dump (`<name>.manifest.json`) and is written last, atomically: a dump
without a manifest is not a finished backup. A rollback trusts nothing in the dump that the
manifest does not vouch for (sha256), restores only into the database it names (system
identifier + name), and compares the restored database with the facts recorded here
(ledger head, row counts and checksums, security fingerprint).

Schema (`format` = "solvereign-backup-manifest/1"):

    dump         file (name beside the manifest), sha256, size_bytes, format, toc_entries;
                 format "custom" (one file) or "directory" (pg_dump -Fd, a folder): then also
                 jobs and files {name: sha256}, and sha256 is tree_sha256 over those files;
                 compress (pg_dump's gzip level)
    database     system_identifier, name            -- the identity a rollback must match
                 server_version, server_version_num, owner, encoding, comment,
                 acl [{grantor, grantee, privilege_type, is_grantable}],
                 settings [{role, config}], catalog {datcollate, datctype, ...}
    ledger_head  last applied migration (meta.migration_ledger), or null
    snapshot     id, started_at, start_lsn, finished_at, end_lsn
    taken_by     role, pg_dump (version)
    counters     before / after: {table: [n_tup_ins, n_tup_upd, n_tup_del]}
    slipped_writes  the no-write proof (cutover.backup.slipped_writes): method, witness_xmax,
                 suspect_transactions, settled_seconds, scanned [tables], seconds
    tables       {table: {kind, rows, checksum}}  -- rows/checksum for ordinary tables,
                 computed in the dump's own snapshot
    fingerprint  sha256, lines ["<kind> <name>: owner=... acl=... ..."]
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cutover.backup.facts import Identity
from cutover.errors import ConfigError

FORMAT = "solvereign-backup-manifest/1"
DUMP_FORMATS = ("custom", "directory")
DUMP_SUFFIX = ".dump"
MANIFEST_SUFFIX = ".manifest.json"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_REQUIRED: dict[str, tuple[type, ...]] = {
    "format": (str,),
    "dump": (dict,),
    "database": (dict,),
    "ledger_head": (str, type(None)),
    "snapshot": (dict,),
    "counters": (dict,),
    "tables": (dict,),
    "fingerprint": (dict,),
}


def manifest_path(dump: Path) -> Path:
    """`x.dump` → `x.manifest.json` (the manifest always sits beside its dump)."""
    name = dump.name[: -len(DUMP_SUFFIX)] if dump.name.endswith(DUMP_SUFFIX) else dump.name
    return dump.with_name(name + MANIFEST_SUFFIX)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks (dumps can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def file_digests(folder: Path) -> dict[str, str]:
    """{name: sha256} of every entry of a directory archive, by name; a sub-folder or other
    non-file is listed as "not a file" (pg_dump -Fd writes only plain files)."""
    return {p.name: sha256_file(p) if p.is_file() and not p.is_symlink() else "not a file"
            for p in sorted(folder.iterdir(), key=lambda p: p.name)}


def tree_sha256(files: dict[str, str]) -> str:
    """The directory archive's one digest: sha256 over `sha256sum`'s lines ("<hex>  <name>")
    sorted by name, so an operator reproduces it with
    `(cd DIR && LC_ALL=C sha256sum -- * | LC_ALL=C sort -k2) | sha256sum`."""
    lines = "".join(f"{files[name]}  {name}\n" for name in sorted(files))
    return hashlib.sha256(lines.encode()).hexdigest()


def digest(dump: Path) -> dict[str, Any]:
    """The manifest's `dump` facts of a custom file or a directory archive: sha256,
    size_bytes and, for a directory, files."""
    if dump.is_dir():
        files = file_digests(dump)
        size = sum(p.stat().st_size for p in dump.iterdir() if p.is_file())
        return {"sha256": tree_sha256(files), "size_bytes": size, "files": files}
    return {"sha256": sha256_file(dump), "size_bytes": dump.stat().st_size}


def differing_files(recorded: dict[str, str], found: dict[str, str]) -> list[str]:
    """Names of a directory archive's files that differ from the manifest: changed,
    missing or added, each saying which."""
    out = [f"{n} (changed)" for n in sorted(recorded) if n in found and found[n] != recorded[n]]
    out += [f"{n} (missing)" for n in sorted(recorded) if n not in found]
    out += [f"{n} (not in the backup)" for n in sorted(found) if n not in recorded]
    return out


@dataclass(frozen=True)
class Manifest:
    """A validated manifest document and where it was read from."""

    path: Path
    doc: dict[str, Any]

    @property
    def dump_path(self) -> Path:
        """The dump file, resolved beside the manifest."""
        return self.path.parent / self.doc["dump"]["file"]

    @property
    def sha256(self) -> str:
        return str(self.doc["dump"]["sha256"])

    @property
    def dump_format(self) -> str:
        return str(self.doc["dump"].get("format") or "custom")

    @property
    def jobs(self) -> int:
        """The parallel jobs the backup used (1 for a custom archive)."""
        return int(self.doc["dump"].get("jobs") or 1)

    @property
    def identity(self) -> Identity:
        db = self.doc["database"]
        return Identity(str(db["system_identifier"]), str(db["name"]))

    @property
    def ledger_head(self) -> str | None:
        return self.doc["ledger_head"]

    @property
    def tables(self) -> dict[str, dict[str, Any]]:
        return self.doc["tables"]

    @property
    def fingerprint(self) -> list[str]:
        return list(self.doc["fingerprint"]["lines"])


def _bad(path: Path, what: str) -> ConfigError:
    return ConfigError(f"backup manifest {path} is malformed: {what}")


def validate(path: Path, doc: Any) -> Manifest:
    """Check the fields a rollback relies on; ConfigError naming the first problem."""
    if not isinstance(doc, dict):
        raise _bad(path, "not a JSON object")
    for key, types in _REQUIRED.items():
        if key not in doc:
            raise _bad(path, f"missing {key!r}")
        if not isinstance(doc[key], types):
            raise _bad(path, f"{key!r} has the wrong type")
    if doc["format"] != FORMAT:
        raise _bad(path, f"format is {doc['format']!r}, expected {FORMAT!r}")
    dump = doc["dump"]
    name = dump.get("file")
    if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
        raise _bad(path, "dump.file must be a plain file name beside the manifest")
    if not isinstance(dump.get("sha256"), str) or not _SHA256.match(dump["sha256"]):
        raise _bad(path, "dump.sha256 is not 64 lowercase hex digits")
    if not isinstance(dump.get("size_bytes"), int):
        raise _bad(path, "dump.size_bytes is not an integer")
    if dump.get("format", "custom") not in DUMP_FORMATS:
        raise _bad(path, f"dump.format {dump.get('format')!r} is not one of {DUMP_FORMATS}")
    if dump.get("format") == "directory":
        files = dump.get("files")
        if not isinstance(files, dict) or not files or not all(
                isinstance(v, str) and _SHA256.match(v) for v in files.values()):
            raise _bad(path, "dump.files must map each file of the directory to its sha256")
        if tree_sha256(files) != dump["sha256"]:
            raise _bad(path, "dump.sha256 is not the digest of dump.files")
        if not isinstance(dump.get("jobs", 1), int) or dump.get("jobs", 1) < 1:
            raise _bad(path, "dump.jobs is not a positive integer")
    db = doc["database"]
    for key in ("system_identifier", "name", "owner", "encoding"):
        if not isinstance(db.get(key), str) or not db[key]:
            raise _bad(path, f"database.{key} is missing")
    if not isinstance(db.get("acl"), list) or not isinstance(db.get("settings"), list):
        raise _bad(path, "database.acl and database.settings must be lists")
    if not isinstance(doc["fingerprint"].get("lines"), list):
        raise _bad(path, "fingerprint.lines is not a list")
    for table, facts in doc["tables"].items():
        if not isinstance(facts, dict) or "kind" not in facts:
            raise _bad(path, f"tables[{table!r}] lacks its kind")
    return Manifest(path, doc)


def load(path: Path) -> Manifest:
    """Read and validate a manifest; `path` may name the manifest or its dump."""
    path = Path(path)
    if not path.name.endswith(MANIFEST_SUFFIX):
        path = manifest_path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(f"backup manifest not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read backup manifest {path}: {exc.strerror}") from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise _bad(path, f"not valid JSON ({exc})") from None
    return validate(path, doc)

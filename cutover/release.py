"""Release identity (RC tag, release sha) from what a deployment has (docs/exit-codes.md).

In order: the command's flags, `SOLVEREIGN_RELEASE_SHA` / `SOLVEREIGN_RC_TAG`, a release
manifest (`--release-manifest FILE` or `SOLVEREIGN_RELEASE_MANIFEST`: JSON with
`release_sha` and optionally `rc_tag`), and last, optionally, git: HEAD of the checkout
this tool runs from. An installed wheel with no .git works from the first three.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cutover import home
from cutover.errors import ConfigError

SHA_VAR = "SOLVEREIGN_RELEASE_SHA"
TAG_VAR = "SOLVEREIGN_RC_TAG"
MANIFEST_VAR = "SOLVEREIGN_RELEASE_MANIFEST"
SHA = re.compile(r"[0-9a-f]{7,40}")  # a commit sha, as last-known-good accepts it
TOOL_NAME = "solvereign-cutover"  # the distribution; every evidence file names it


@dataclass(frozen=True)
class Release:
    """Which release this run is about and where that was read from."""

    sha: str | None
    rc_tag: str | None
    source: str  # "flag", SHA_VAR, "manifest FILE", "git", or "none"


def _sha(value: str, where: str) -> str:
    sha = value.strip().lower()
    if not SHA.fullmatch(sha):
        raise ConfigError(f"{where}: {value.strip()[:80]!r} is not a commit sha "
                          "(7 to 40 hex digits)")
    return sha


def read_manifest(path: Path) -> Release:
    """A release manifest file, or a one-line ConfigError naming the file."""
    try:
        doc = json.loads(Path(path).read_text())
    except OSError as exc:
        raise ConfigError(f"release manifest {path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"release manifest {path} is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("release_sha"), str):
        raise ConfigError(f"release manifest {path} has no release_sha")
    tag = doc.get("rc_tag")
    return Release(_sha(doc["release_sha"], f"release manifest {path}"),
                   tag if isinstance(tag, str) and tag else None, f"manifest {path}")


def git_head() -> str | None:
    """HEAD of the checkout this package runs from, if it runs from one (never the HEAD
    of a repository an installed wheel's venv happens to sit in) and git is installed."""
    if not home.is_checkout() or not (home.CHECKOUT / ".git").exists():
        return None
    try:
        proc = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=False, cwd=home.CHECKOUT)
    except OSError:  # no git on the machine
        return None
    return proc.stdout.strip() or None


def resolve(release_sha: str | None = None, rc_tag: str | None = None,
            manifest: Path | None = None, environ: Mapping[str, str] | None = None) -> Release:
    """The release identity from the first source that has one (see the module doc)."""
    env = os.environ if environ is None else environ
    tag = rc_tag or env.get(TAG_VAR) or None
    if release_sha:
        return Release(_sha(release_sha, "--release-sha"), tag, "flag")
    if env.get(SHA_VAR):
        return Release(_sha(env[SHA_VAR], SHA_VAR), tag, SHA_VAR)
    path = manifest or (Path(env[MANIFEST_VAR]) if env.get(MANIFEST_VAR) else None)
    if path is not None:
        found = read_manifest(path)
        return Release(found.sha, tag or found.rc_tag, found.source)
    head = git_head()
    return Release(head, tag, "git" if head else "none")


def package_digest() -> str:
    """sha256 over the installed distribution's file list and hashes (its RECORD), cut to
    a commit sha's 40 hex digits: what a sandbox rehearsal records as the release when none
    is given, i.e. this very build."""
    import hashlib
    from importlib import metadata

    try:
        dist = metadata.distribution("solvereign-cutover")
        record = dist.read_text("RECORD") or "\n".join(str(f) for f in dist.files or [])
    except metadata.PackageNotFoundError:
        record = ""
    return hashlib.sha256(record.encode()).hexdigest()[:40]


@functools.cache
def tool_version() -> str:
    """The installed package's version (read once: every artifact a run writes asks)."""
    from importlib import metadata

    try:
        return metadata.version(TOOL_NAME)
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def tool() -> dict[str, str]:
    """The `tool` field of every JSON evidence file: an approver can tell which version of
    this tool wrote it (docs/artifacts.md)."""
    return {"name": TOOL_NAME, "version": tool_version()}


def stamped(doc: object) -> object:
    """`doc` with the `tool` field added (replacing the one of an earlier writer); a JSON
    array has no room for it and is returned unchanged."""
    return {**doc, "tool": tool()} if isinstance(doc, dict) else doc


def version_line(prog: str) -> str:
    """`PROG VERSION (release SHA from SOURCE, rc tag TAG)`: what `--version` prints."""
    version = tool_version()
    try:
        found = resolve()
        what = (f"release {found.sha} from {found.source}" if found.sha
                else "no release identity (give --release-sha, SOLVEREIGN_RELEASE_SHA or a "
                     "release manifest)")
        if found.rc_tag:
            what += f", rc tag {found.rc_tag}"
    except ConfigError as exc:
        what = f"release unreadable: {exc}"
    return f"{prog} {version} ({what})"

"""The documentation stays true to the repository: generated parts current, every setting
the code reads documented, every link resolving, nothing pointing outside the checkout.

Pure file reads (no database, no network): fast enough to run on every change.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
CODE_DIRS = ("cutover", "sandbox", "scripts", "fixtures", "checks")
CODE_SUFFIXES = {".py", ".sh", ".sql"}
SETTING = re.compile(r"SOLVEREIGN_[A-Z0-9_]+")
# A markdown link target: [text](target) — not images of remote sites, not anchors only.
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
# Applied migrations cite design sections in comments; they can never change (their sha256
# is in every ledger, and PM-071 compares 025e's body), so docs/README.md maps those
# citations to the documents instead. A new file must not add one.
IMMUTABLE = {"migrations/001_roles.sql", "migrations/011_roster_drivers.sql",
             "migrations/015_roster_plans.sql", "migrations/024_table_classification.sql",
             "migrations/025e_final_hardening.sql"}
# Spelled in pieces so this file does not match itself.
OUTSIDE = [re.compile(re.escape(".." + "/shared")), re.compile(re.escape("DESIGN" + ".md")),
           re.compile(r"\b" + "DESIGN" + r"[\s#\-]*(§|\d)")]


def _catalogue():
    """docs/catalogue.py as a module (docs/ is not a package)."""
    spec = importlib.util.spec_from_file_location("docs_catalogue", DOCS / "catalogue.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module


def test_check_catalogue_is_current():
    """docs/checks.md is exactly what the generator makes from today's check markers."""
    expected = _catalogue().render(REPO)
    current = (DOCS / "checks.md").read_text()
    assert current == expected, (
        "docs/checks.md is out of date with the check markers in checks/: "
        "run `python3 docs/catalogue.py`")


def _code_files() -> list[Path]:
    """Every source file under the code folders and dev.py, tracked or not yet."""
    files = [REPO / "dev.py"]
    for folder in CODE_DIRS:
        files += [p for p in (REPO / folder).rglob("*")
                  if p.suffix in CODE_SUFFIXES and "__pycache__" not in p.parts]
    return sorted(files)


def test_every_setting_the_code_reads_is_documented():
    """Each SOLVEREIGN_* name in the code appears in docs/configuration.md."""
    used: dict[str, str] = {}
    for path in _code_files():
        for name in SETTING.findall(path.read_text(errors="replace")):
            used.setdefault(name, path.relative_to(REPO).as_posix())
    documented = set(SETTING.findall((DOCS / "configuration.md").read_text()))
    missing = sorted(n for n in used if n not in documented)
    assert not missing, (
        f"{len(missing)} setting(s) read by the code but not in docs/configuration.md: "
        + ", ".join(f"{n} ({used[n]})" for n in missing))


def _tracked_text_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                         check=True).stdout.decode().split("\0")
    files = []
    for name in filter(None, out):
        path = REPO / name
        if path.is_file() and b"\0" not in path.read_bytes()[:4096]:
            files.append(path)
    return files


def test_nothing_refers_outside_the_repository():
    """No tracked file points at a document a user who clones the project does not have."""
    offenders = []
    for path in _tracked_text_files():
        if path == Path(__file__).resolve() or path.relative_to(REPO).as_posix() in IMMUTABLE:
            continue  # this file names what it looks for; applied migrations cannot change
        text = path.read_text(errors="replace")
        for pattern in OUTSIDE:
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                offenders.append(f"{path.relative_to(REPO)}:{line}: {m.group(0)!r}")
    assert not offenders, (f"{len(offenders)} reference(s) to documents outside the "
                           "repository:\n  " + "\n  ".join(offenders))


def _markdown_files() -> list[Path]:
    return [REPO / "README.md", *sorted(DOCS.glob("*.md"))]


def test_every_relative_link_resolves():
    """Every relative link in README.md and docs/*.md names a file or folder that exists."""
    broken = []
    for doc in _markdown_files():
        for target in LINK.findall(doc.read_text()):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # http:, mailto:, in-page anchors
            path = (doc.parent / target.split("#", 1)[0]).resolve()
            if not path.exists():
                broken.append(f"{doc.relative_to(REPO)}: ({target})")
    assert not broken, "links to files that do not exist:\n  " + "\n  ".join(broken)


def test_the_docs_index_lists_every_document():
    """docs/README.md links every page of docs/, and README.md links docs/README.md."""
    index = (DOCS / "README.md").read_text()
    pages = sorted(p.name for p in DOCS.glob("*.md") if p.name != "README.md")
    unlisted = [p for p in pages if f"({p})" not in index]
    assert not unlisted, f"docs/README.md does not link: {', '.join(unlisted)}"
    assert "(docs/README.md)" in (REPO / "README.md").read_text(), \
        "README.md does not link docs/README.md"

#!/usr/bin/env python3
"""Generate docs/checks.md, the check catalogue, from the check markers in checks/.

    python3 docs/catalogue.py           # rewrite docs/checks.md
    python3 docs/catalogue.py --check   # exit 1 if docs/checks.md is out of date

The check modules are parsed with `ast`, never imported: importing them would need the
gate's fixtures and dependencies, and the catalogue must be writable from a bare checkout.
What a marker says is what the gate reports, so the catalogue cannot drift from the code.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "checks.md"
PHASES = ("preflight", "freeze", "postmigration", "postenable", "monitoring", "postrollback")
AREAS = ("security", "acl", "health", "auth", "roster", "drill")


@dataclass(frozen=True)
class Check:
    """One `@pytest.mark.check(...)` as written in its module."""

    id: str
    severity: str
    tier: str
    runbook: str
    remediation: str
    title: str
    markers: tuple[str, ...]
    path: str


def _mark_name(node: ast.expr) -> str | None:
    """`pytest.mark.NAME` or `mark.NAME` (called or not) → NAME."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        base = node.value
        if (isinstance(base, ast.Attribute) and base.attr == "mark") or (
                isinstance(base, ast.Name) and base.id == "mark"):
            return node.attr
    return None


def _value(node: ast.expr, names: dict[str, ast.expr]) -> str:
    """A marker argument as text: literals, `+` of strings and module constants resolved;
    anything else is shown as its source."""
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _value(node.left, names) + _value(node.right, names)
    if isinstance(node, ast.Name) and node.id in names:
        return _value(names[node.id], names)
    if isinstance(node, ast.JoinedStr):
        return "".join(_value(v.value, names) if isinstance(v, ast.FormattedValue)
                       else str(v.value) for v in node.values)  # type: ignore[union-attr]
    return ast.unparse(node)


def _module_markers(tree: ast.Module) -> list[str]:
    """Names in the module's `pytestmark` (a single mark or a list of them)."""
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets):
            items = stmt.value.elts if isinstance(stmt.value, ast.List | ast.Tuple) \
                else [stmt.value]
            return [n for n in (_mark_name(i) for i in items) if n]
    return []


def _constants(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level `NAME = <expr>` assignments, for markers that use a constant."""
    out: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], ast.Name):
            out[stmt.targets[0].id] = stmt.value
    return out


def _functions(tree: ast.Module):
    """Every test function, also inside classes."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def checks_in(path: Path, root: Path = ROOT) -> list[Check]:
    """The checks one module declares."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = _constants(tree)
    module_marks = _module_markers(tree)
    module_doc = (ast.get_docstring(tree) or "").strip()
    out = []
    found = []
    for fn in _functions(tree):
        marks = [d for d in fn.decorator_list if _mark_name(d)]
        check = next((d for d in marks if _mark_name(d) == "check"
                      and isinstance(d, ast.Call)), None)
        if check is not None:
            found.append((fn, marks, {k.arg: _value(k.value, names)
                                      for k in check.keywords if k.arg}))
    out = []
    for fn, marks, kw in found:
        markers = [*module_marks, *(_mark_name(d) for d in marks)]
        out.append(Check(
            id=kw.get("id", "?"), severity=kw.get("severity", "?"), tier=kw.get("tier", ""),
            runbook=kw.get("runbook", ""), remediation=kw.get("remediation", ""),
            title=_title(kw.get("id", ""), module_doc if len(found) == 1 else "",
                         ast.get_docstring(fn) or fn.name),
            markers=tuple(m for m in dict.fromkeys(markers) if m in PHASES + AREAS),
            path=path.relative_to(root).as_posix()))
    return out


def _title(check_id: str, module_doc: str, function_doc: str) -> str:
    """What the check verifies: the first paragraph of a one-check module's docstring
    (`"PM-010: RLS enabled and ..."`, id prefix dropped), else the function's first line.
    A parenthesised reference to a design section is left out: the catalogue is read by
    people who have only this repository."""
    first = module_doc.strip().split("\n\n")[0]
    if check_id and first.startswith(check_id + ":"):
        text = first[len(check_id) + 1:]
    else:
        text = function_doc.strip().splitlines()[0] if function_doc.strip() else ""
    return re.sub(r"\s*\(DESIGN[^)]*\)", "", " ".join(text.split()))


def _id_key(check_id: str) -> tuple[str, int, str]:
    """PF-2 before PF-10: prefix, number, rest."""
    m = re.match(r"^([A-Za-z]+)-?(\d+)(.*)$", check_id)
    return (m[1], int(m[2]), m[3]) if m else (check_id, 0, "")


def _cell(text: str) -> str:
    """Table-safe: one line, pipes escaped, `<t>` placeholders kept visible (not HTML)."""
    return (" ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace("|", "\\|"))


def _folder_title(folder: Path) -> str:
    init = folder / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text())) if init.exists() else None
    return (doc or "").strip().splitlines()[0] if doc else ""


def render(root: Path = ROOT) -> str:
    """The whole of docs/checks.md."""
    # `_*` folders are scratch (tests/gate writes throw-away checks there while it runs)
    folders = sorted(p for p in (root / "checks").iterdir()
                     if p.is_dir() and not p.name.startswith(("_", "."))
                     and any(p.glob("test_*.py")))
    lines = [
        "# Check catalogue",
        "",
        "<!-- GENERATED by docs/catalogue.py from the check markers in checks/; do not edit. -->",
        "<!-- Regenerate with: python3 docs/catalogue.py -->",
        "",
        "Every gate check with its permanent id, severity, the phase and area markers it runs "
        "under, the runbook section it implements, what it verifies (the first line of its "
        "docstring) and what to do when it fails. An `(advisory)` check is reported but never "
        "changes the verdict. How a severity turns into a verdict: "
        "[exit-codes.md](exit-codes.md). How to add a check: "
        "[adding-a-check.md](adding-a-check.md).",
        "",
    ]
    total = 0
    for folder in folders:
        found = [c for p in sorted(folder.glob("test_*.py")) for c in checks_in(p, root)]
        found.sort(key=lambda c: _id_key(c.id))
        total += len(found)
        title = _folder_title(folder)
        lines += [f"## `checks/{folder.name}/`", ""]
        if title:
            lines += [title, ""]
        lines += ["| id | severity | markers | runbook | what it verifies | remediation |",
                  "|---|---|---|---|---|---|"]
        for c in found:
            link = f"[{c.id}](../{c.path})"
            severity = f"{c.severity} ({c.tier})" if c.tier and c.tier != "gate" else c.severity
            lines.append(f"| {link} | {severity} | {_cell(', '.join(c.markers))} | "
                         f"{_cell(c.runbook)} | {_cell(c.title)} | {_cell(c.remediation)} |")
        lines.append("")
    lines += [f"{total} checks in {len(folders)} phase folders.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if docs/checks.md is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUTPUT.read_text() if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run `python3 docs/catalogue.py`",
                  file=sys.stderr)
            return 1
        print(f"{OUTPUT.relative_to(ROOT)} is up to date")
        return 0
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

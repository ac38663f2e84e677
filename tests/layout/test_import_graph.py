"""The layout's rules, read from the source (issue 14; docs/README.md, "Layout").

Dependencies run one way: the gate (`checks/`, `fixtures/`) and the scripts use the library;
the sandbox uses the library; the library (`cutover/`) uses neither the gate nor the
sandbox — only its command layer `cutover/cli/` may start the sandbox. No module imports
itself back through others, lazily or not: an import inside a function is an edge too.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("cutover", "sandbox", "checks", "fixtures", "scripts", "tests")
LIMIT = 400  # lines: what one person holds in their head


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    found = {}
    for top in PACKAGES:
        for path in sorted((REPO / top).rglob("*.py")):
            if "__pycache__" not in path.parts and "_tree" not in path.parts:
                found[_module_name(path)] = path
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest known module `name` refers to (a package's module, else the package)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(path: Path, module: str, modules: dict[str, Path]) -> set[str]:
    """Every module of ours `path` imports, at any depth of the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for name in names:
            target = _resolve(name, modules)
            if target and target != module:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _sources()
    return {m: _imports(p, m, modules) for m, p in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _top(module: str) -> str:
    return module.split(".")[0]


def _forbidden(importer: str, imported: str) -> bool:
    """The one-way rule: checks -> library <- scripts; sandbox -> library; the library
    (but its command layer, which may start the sandbox) uses neither."""
    src, dst = _top(importer), _top(imported)
    if src == "cutover":
        if dst in {"checks", "fixtures", "tests", "scripts"}:
            return True
        return dst == "sandbox" and not importer.startswith("cutover.cli")
    if src == "sandbox":
        return dst in {"checks", "fixtures", "tests", "scripts"}
    return src in {"checks", "fixtures", "scripts"} and dst == "tests"


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_dependencies_run_one_way():
    graph = _graph()
    wrong = sorted(f"{a} imports {b}" for a, targets in graph.items() for b in targets
                   if _forbidden(a, b))
    assert wrong == []


def test_library_modules_fit_in_a_head():
    long = sorted(f"{p.relative_to(REPO)}: {n} lines" for p in (REPO / "cutover").rglob("*.py")
                  if "_tree" not in p.parts and (n := len(p.read_text().splitlines())) > LIMIT)
    assert long == []


def test_the_rules_can_fail():
    """The cycle finder and the direction rule catch what they are for."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
    assert _forbidden("cutover.runbook.rehearse", "sandbox.manage")
    assert not _forbidden("cutover.cli.rehearse", "sandbox.platform")
    assert _forbidden("cutover.cli.main", "checks.conftest")
    assert _forbidden("sandbox.manage", "fixtures.db")
    assert not _forbidden("checks.p1_preflight.test_x", "cutover.pg.connect")


def test_every_library_package_says_its_runbook_section():
    missing = sorted(str(p.parent.relative_to(REPO))
                     for p in (REPO / "cutover").rglob("__init__.py")
                     if "_tree" not in p.parts and not ast.get_docstring(ast.parse(p.read_text())))
    assert missing == []

"""The package's imports point one way: front ends -> application -> engine -> document/claims ->
tokenizer/walker. Read from the source (imports inside functions count too), so a lazy import
cannot hide a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "edi_lint"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """edi_lint module -> the edi_lint modules it imports (anywhere in its source)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                               for alias in node.names)
        graph[name] = {t for t in targets if t in modules and t != name and t != "edi_lint"}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path of module names, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert "edi_lint.application" in graph["edi_lint.cli"]  # imported inside main()
    assert "edi_lint.engine" in graph["edi_lint.application"]


def test_package_imports_form_no_cycle():
    assert find_cycle(import_graph()) is None


def test_layers_point_one_way():
    graph = import_graph()
    front_ends = {"edi_lint.cli", "edi_lint.api"}
    for name, targets in graph.items():
        if name not in front_ends:
            assert not targets & front_ends, f"{name} imports a front end"
    assert "edi_lint.application" not in set().union(*(graph[m] for m in graph if m not in front_ends))
    for lower in ("edi_lint.engine", "edi_lint.settings", "edi_lint.document", "edi_lint.claims",
                  "edi_lint.preflight", "edi_lint.baseline", "edi_lint.progress"):
        assert "edi_lint.config" not in graph[lower], f"{lower} imports configuration"
    assert "edi_lint.engine" not in graph["edi_lint.config"]

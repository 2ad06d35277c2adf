"""The import graph: ``import gis`` stays light, arrows run ``app.py → ui → layers → gis`` and nothing circles.

The graph is read from the source with ``ast``, so it sees every import: at module level, inside functions,
and by a literal name in ``importlib.import_module("…")`` or ``__import__("…")``. Imports under
``if TYPE_CHECKING:`` never run; they count as arrows (a back-arrow is a back-arrow even for typing) but
not towards circles.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gis", "layers", "ui")

#: Rank of each top-level part: an import may only point to a lower or equal rank.
RANK = {"gis": 0, "layers": 1, "ui": 2, "app": 3}
#: Third-party packages that only the app side may import.
APP_ONLY = {"streamlit", "streamlit_folium"}

@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    typing_only: bool


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def find_modules(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Every module of ``packages`` under ``root`` (plus ``app.py`` when present) by dotted name."""
    modules = {_module_name(p, root): p for pkg in packages for p in sorted((root / pkg).rglob("*.py"))}
    if (root / "app.py").exists():
        modules["app"] = root / "app.py"
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool) -> list[tuple[str, list[str], int, bool]]:
    """``(base, names, line, typing_only)`` for every import in ``tree``; ``names`` are ``from`` names."""
    found: list[tuple[str, list[str], int, bool]] = []

    def visit(node: ast.AST, typing_only: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, typing_only)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, [], node.lineno, typing_only) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            found.append((base, [a.name for a in node.names], node.lineno, typing_only))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in {"import_module", "__import__"} and isinstance(node.args[0].value, str):
                found.append((node.args[0].value, [], node.lineno, typing_only))
        for child in ast.iter_child_nodes(node):
            visit(child, typing_only)

    visit(tree, False)
    return found


def import_edges(root: Path, packages: tuple[str, ...] = PACKAGES) -> tuple[dict[str, Path], list[Edge]]:
    """The modules under ``root`` and every import between them or to outside packages (by top-level name)."""
    modules = find_modules(root, packages)
    edges: list[Edge] = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for base, names, line, typing_only in _imports(tree, name, path.name == "__init__.py"):
            targets = [f"{base}.{n}" for n in names if f"{base}.{n}" in modules] or [base]
            for target in targets:
                while target not in modules and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target and target != name:
                    edges.append(Edge(name, target, line, typing_only))
    return modules, edges


def back_arrows(edges: list[Edge]) -> list[str]:
    """Imports against ``app.py → ui → layers → gis`` (and streamlit outside ``ui``/``app``).

    No module is exempt: the command line's composition root is ``layers/__main__.py``, which imports ``gis``
    the allowed way; ``gis/__main__.py`` is held to the rule like the rest of ``gis``.
    """
    bad = []
    for e in edges:
        src_top, dst_top = e.source.split(".")[0], e.target.split(".")[0]
        if dst_top in RANK and RANK[dst_top] > RANK[src_top]:
            bad.append(f"{e.source}:{e.line} imports {e.target}")
        elif dst_top in APP_ONLY and RANK[src_top] < RANK["ui"]:
            bad.append(f"{e.source}:{e.line} imports {e.target}")
    return bad


def circles(modules: dict[str, Path], edges: list[Edge]) -> list[frozenset[str]]:
    """Strongly connected components of more than one module among the runtime imports (Tarjan)."""
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for e in edges:
        if e.target in graph and not e.typing_only:
            graph[e.source].add(e.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in graph:
        if v not in index:
            strongconnect(v)
    return found


# --- the checks on this project --------------------------------------------------------------------------


def test_import_gis_pulls_in_neither_streamlit_nor_folium() -> None:
    code = (
        "import sys, gis, gis.crs, gis.area, gis.cli, gis.__main__\n"
        "gis.cli.build_parser()\n"
        "bad = [m for m in ('streamlit', 'folium', 'layers', 'ui') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_no_back_arrow_anywhere() -> None:
    _, edges = import_edges(ROOT)
    assert back_arrows(edges) == []


def test_no_import_circle() -> None:
    modules, edges = import_edges(ROOT)
    assert [sorted(c) for c in circles(modules, edges)] == []


# --- the checker itself, on a small project made here -----------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_checker_sees_imports_in_functions_by_string_and_relative(tmp_path: Path) -> None:
    _write(tmp_path, {
        "gis/__init__.py": "",
        "gis/a.py": "def f():\n    import layers.x\n",
        "gis/b.py": "import importlib\n\ndef g():\n    return importlib.import_module('ui.page')\n",
        "gis/c.py": "def h():\n    import streamlit as st\n",
        "gis/d.py": "from . import a\n",
        "gis/__main__.py": "from layers import x\n",
        "layers/__init__.py": "",
        "layers/x.py": "from gis import d\n",
        "ui/__init__.py": "",
        "ui/page.py": "import streamlit\nfrom layers import x\n",
    })
    modules, edges = import_edges(tmp_path)
    assert set(back_arrows(edges)) == {
        "gis.a:2 imports layers.x", "gis.b:4 imports ui.page", "gis.c:2 imports streamlit",
        "gis.__main__:1 imports layers.x",  # an entry point of gis is part of gis: no exemption
    }
    assert Edge("gis.d", "gis.a", 1, False) in edges  # the relative import resolved to the module


def test_checker_finds_circles_but_not_through_type_checking(tmp_path: Path) -> None:
    _write(tmp_path, {
        "gis/__init__.py": "",
        "gis/a.py": "from gis.b import x\n",
        "gis/b.py": "def x():\n    from gis import c\n",
        "gis/c.py": "import gis.a\n",
        "gis/d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from gis import e\n",
        "gis/e.py": "from gis import d\n",
        "layers/__init__.py": "",
        "ui/__init__.py": "",
    })
    modules, edges = import_edges(tmp_path)
    assert circles(modules, edges) == [frozenset({"gis.a", "gis.b", "gis.c"})]

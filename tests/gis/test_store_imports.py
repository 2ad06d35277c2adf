"""``gis.store`` is one house (issue 12 step 5): no import circle between its modules (imports inside functions
count), and the attribute edit is written once in StoreBase with backend hooks."""

from __future__ import annotations

import ast
from pathlib import Path

STORE = Path(__file__).resolve().parents[2] / "gis" / "store"


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in STORE.glob("*.py"):
        name = path.stem
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "gis.store":
                    edges |= {a.name for a in node.names if (STORE / f"{a.name}.py").exists()}
                elif node.module.startswith("gis.store."):
                    edges.add(node.module.split(".")[2])
            elif isinstance(node, ast.Import):
                edges |= {a.name.split(".")[2] for a in node.names if a.name.startswith("gis.store.")}
        graph[name] = edges - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_graph_is_read() -> None:
    graph = _graph()
    assert {"_store", "_postgis", "_pg_backup", "_base"} <= set(graph) and "_postgis" in graph["_store"]


def test_no_import_circle_inside_gis_store() -> None:
    graph = {k: v - {"__init__"} for k, v in _graph().items() if k != "__init__"}
    assert _cycle(graph) is None, " → ".join(_cycle(graph) or [])


def test_the_edit_procedure_is_written_once_for_both_backends() -> None:
    from gis.store import PostgisStore, Store, StoreBase

    for cls in (Store, PostgisStore):
        assert cls._update_feature is StoreBase._update_feature  # backends supply only the small steps
        assert cls.update_feature is StoreBase.update_feature and cls.restore is StoreBase.restore

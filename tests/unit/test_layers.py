"""The layers point one way (ARCHITECTURE.md): tools -> turn -> nodes -> graph -> server.

Every import counts, lazy and TYPE_CHECKING ones too: a layer that needs a name from above it
gets it passed in instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imports_of(path: Path) -> set[str]:
    """The absolute module names `path` imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def top(name: str) -> str:
    return name.split(".")[0]


def test_the_packages_checked_exist() -> None:
    for package in ("tools", "turn", "nodes", "graph"):
        assert modules(package), package
    assert "turn.contract" in imports_of(ROOT / "nodes" / "validator.py")


@pytest.mark.parametrize("path", modules("nodes"), ids=lambda p: p.name)
def test_no_node_imports_another_node(path: Path) -> None:
    others = {n for n in imports_of(path) if top(n) == "nodes"}
    assert not others, f"{path.name} imports {sorted(others)}: shared helpers belong in turn/"


@pytest.mark.parametrize("path", [*modules("nodes"), *modules("turn")],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_nodes_and_turn_never_import_above_them(path: Path) -> None:
    above = {n for n in imports_of(path) if top(n) in ("graph", "server", "checkpoints")}
    assert not above, f"{path.parent.name}/{path.name} imports {sorted(above)}"


@pytest.mark.parametrize("path", modules("turn"), ids=lambda p: p.name)
def test_turn_never_imports_nodes(path: Path) -> None:
    nodes = {n for n in imports_of(path) if top(n) == "nodes"}
    assert not nodes, f"turn/{path.name} imports {sorted(nodes)}"


@pytest.mark.parametrize("path", modules("tools"), ids=lambda p: str(p.relative_to(ROOT)))
def test_tools_import_none_of_the_layers_above(path: Path) -> None:
    above = {n for n in imports_of(path) if top(n) in ("turn", "nodes", "graph", "server")}
    assert not above, f"{path.relative_to(ROOT)} imports {sorted(above)}"


def test_nodes_holds_only_node_modules() -> None:
    """Each module under nodes/ defines the graph node it is named after (graph/graph.py)."""
    from graph.graph import build_graph

    names = set(build_graph().get_graph().nodes) - {"__start__", "__end__"}
    files = {p.stem for p in modules("nodes")} - {"__init__"}
    assert files == names

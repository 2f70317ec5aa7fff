"""Imports go one way, model <- experiments <- calibration <- casim, and no module imports itself round a loop.

Every module's whole syntax tree is read, so imports inside functions count, and so does
`importlib.import_module("...")` with a literal name. `app.py` (the visualiser's page) is casim's layer.
"""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"model": 0, "experiments": 1, "calibration": 2, "casim": 3, "app": 3}


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Module name -> file for every module of the four packages and app.py."""
    modules = {"app": root / "app.py"}
    for package in ("model", "experiments", "calibration", "casim"):
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imported_names(module: str, source: str, is_package: bool) -> list[tuple[str, str]]:
    """What `source` imports, anywhere in the file: (name, its container) pairs of absolute names.

    `from a.b import c` gives ("a.b.c", "a.b"): c is the module a.b.c if there is one, else a name in a.b.
    Relative imports are resolved against `module`; `importlib.import_module("x")` and `__import__("x")`
    with a literal give ("x", "x").
    """
    package = module if is_package else module.rpartition(".")[0]
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [(alias.name, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            full = ".".join(p for p in (base if node.level else "", node.module or "") if p)
            names += [(f"{full}.{alias.name}", full) for alias in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("import_module", "__import__"):
                names.append((node.args[0].value, node.args[0].value))
    return names


def import_graph(modules: dict[str, str], packages: set[str]) -> nx.DiGraph:
    """Module -> module edges between project modules (an imported name maps to the module that holds it)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for module, source in modules.items():
        for name, container in imported_names(module, source, module in packages):
            target = name if name in modules else container
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != module:
                graph.add_edge(module, target)
    return graph


def layer_of(module: str) -> int:
    return LAYERS[module.partition(".")[0]]


def problems(graph: nx.DiGraph) -> list[str]:
    """Upward imports and import cycles, one line each."""
    found = [f"upward import: {a} (layer {layer_of(a)}) imports {b} (layer {layer_of(b)})"
             for a, b in graph.edges if layer_of(b) > layer_of(a)]
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            cycle = nx.find_cycle(graph.subgraph(component))
            found.append("import cycle: " + " -> ".join([a for a, _ in cycle] + [cycle[0][0]]))
    return sorted(found)


def test_imports_go_one_way_without_cycles():
    files = project_modules()
    packages = {name for name, path in files.items() if path.name == "__init__.py"}
    graph = import_graph({name: path.read_text(encoding="utf-8") for name, path in files.items()}, packages)
    assert len(files) > 60 and graph.number_of_edges() > 100  # the walk found the tree
    assert problems(graph) == []


@pytest.mark.parametrize("sources, expected", [
    ({"model.a": "def f():\n    from casim import b\n", "casim.b": ""},
     ["upward import: model.a (layer 0) imports casim.b (layer 3)"]),
    ({"experiments.a": "import importlib\nimportlib.import_module('calibration.p')\n", "calibration.p": ""},
     ["upward import: experiments.a (layer 1) imports calibration.p (layer 2)"]),
    ({"calibration.p": "from .r import x\n", "calibration.r": "def g():\n    from . import p\n"},
     ["import cycle: calibration.p -> calibration.r -> calibration.p"]),
    ({"casim.c": "from model.o import Column\n", "model.o": "from . import e\n", "model.e": ""}, []),
])
def test_the_check_finds_what_it_should(sources, expected):
    """The checker itself: a hidden upward import, import_module with a literal, a cycle inside a layer."""
    assert problems(import_graph(sources, packages=set())) == expected

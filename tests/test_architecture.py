"""The shape of the code, checked: no import cycles inside an app, no module past ~800 lines,
no management command used as a library.

The layers between apps are import-linter contracts (pyproject.toml, `lint-imports`); these are
the two rules it cannot state. Imports inside functions count: grimp sees them, and a cycle hidden
in a function is still a cycle a reader has to untangle.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = ["civic311", "requests_app", "routing", "notifications", "staff", "reports", "demo"]
PACKAGES = [name for name in FIRST_PARTY if (ROOT / name / "__init__.py").exists()]
MAX_LINES = 800


@cache
def _graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def _cycles(modules: set[str], imports_of: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively).

    1. Depth-first from every unvisited module, numbering modules in visiting order.
    2. A module's low-link is the smallest number reachable from it through the stack.
    3. A module whose low-link is its own number closes a component: pop it off the stack.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in sorted(modules):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = []
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        work.append((start, iter(sorted(imports_of[start]))))
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(imports_of[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def _cycle_description(graph: grimp.ImportGraph, component: list[str]) -> str:
    # One concrete loop through the component's first module, so the failure says what to cut.
    first, members = component[0], set(component)
    for other in component[1:]:
        there = graph.find_shortest_chain(importer=first, imported=other)
        back = graph.find_shortest_chain(importer=other, imported=first)
        if there and back and set(there) | set(back) <= members:
            return " -> ".join([*there, *back[1:]])
    return ", ".join(component)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycles_inside_the_package(package: str) -> None:
    graph = _graph()
    modules = {package} | graph.find_descendants(package)
    imports_of = {
        module: graph.find_modules_directly_imported_by(module) & modules for module in modules
    }
    cycles = [_cycle_description(graph, c) for c in _cycles(modules, imports_of)]
    assert cycles == [], "import cycles in " + package + ":\n" + "\n".join(cycles)


def test_no_module_is_over_800_lines() -> None:
    too_long = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.relative_to(ROOT).parts:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                too_long[str(path.relative_to(ROOT))] = lines
    # Split such a module into a package by role (see docs/architecture.md).
    assert too_long == {}


def test_no_code_imports_a_management_command() -> None:
    """Commands are thin over library modules (importers/, citypack/, demo/...): code that needs
    what a command does calls the library, so the command can change its output freely."""
    graph = _graph()
    importers = {
        f"{importer} imports {command}"
        for command in graph.modules
        if ".management.commands." in command
        for importer in graph.find_modules_that_directly_import(command)
    }
    assert importers == set()

"""Core knows nothing of the apps built on it, and the apps import one another in one
direction only (DESIGN.md, rule 6): apps register their importers, exports, periodic jobs,
recovery handlers, menu entries and home tiles in ``AppConfig.ready()`` instead."""

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import grimp
from django.apps import apps

import outpost

PACKAGE = Path(outpost.__file__).parent
REPO = PACKAGE.parent


def _modules(root: Path):
    """(dotted name, path) of every module under `root` but the tests."""
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(REPO).with_suffix("")
        if "tests" in relative.parts:
            continue
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        yield ".".join(parts), path


def _imported(path: Path, module: str) -> set[str]:
    """Every module `path` imports, at its top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing package
                package = module.split(".")
                if path.name != "__init__.py":
                    package = package[:-1]
                base = package[: len(package) - node.level + 1]
                names.add(".".join([*base, node.module] if node.module else base))
            else:
                names.add(node.module)
    return names


def test_no_module_under_core_imports_an_app():
    above = [
        config.name
        for config in apps.get_app_configs()
        if config.name.startswith("outpost.") and config.name != "outpost.core"
    ]
    # What imports every app: the project's URLs and API.
    above += ["outpost.urls", "outpost.api"]
    offending = [
        f"{module} imports {name}"
        for module, path in _modules(PACKAGE / "core")
        for name in _imported(path, module)
        if any(name == app or name.startswith(app + ".") for app in above)
    ]
    assert offending == []


def test_every_module_imports():
    for module, _path in _modules(PACKAGE):
        if module.endswith(("wsgi", "settings")) or ".migrations." in module:
            continue
        importlib.import_module(module)


def test_the_import_contracts_hold():
    """`.importlinter`: the apps' layers, core at the bottom, and no cycle between apps."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--config", str(REPO / ".importlinter")],
        cwd=REPO,
        # This checkout's code, not a copy installed in the virtualenv.
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _cycles(graph) -> set[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan), tests left out."""
    modules = sorted(module for module in graph.modules if ".tests" not in module)
    inside = set(modules)
    edges = {
        module: sorted(graph.find_modules_directly_imported_by(module) & inside - {module})
        for module in modules
    }
    index, low, stack, on_stack, found = {}, {}, [], set(), set()

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in edges[module]:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_between_modules():
    """Imports inside functions count too: a service that queues a task imports the task,
    and the task imports only services that queue nothing."""
    graph = grimp.build_graph("outpost", exclude_type_checking_imports=True, cache_dir=None)
    assert _cycles(graph) == set()

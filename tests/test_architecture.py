"""The shape of the code (issue 18, point 3): domains import only downstream, none hides an
upstream import inside a function, and no two modules import each other.

The data flows question_bank -> exam -> proctoring -> renewal -> certificates, with core and
accounts below all: a module may import from its own domain and from domains before it. An
upstream domain hears of events through blinker signals (``<domain>/signals.py``), connected in
the listening domain's ``init_app``."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ujisim"
#: each domain may import from itself and from those before it
LAYERS = ["core", "accounts", "question_bank", "exam", "proctoring", "renewal", "certificates"]
#: top-level modules that put the domains together
ASSEMBLY = {"ujisim.app", "ujisim.celery_app", "ujisim.seed", "ujisim.main", "ujisim.config"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path) for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts}


def _imports() -> list[tuple[str, str, int, bool]]:
    """(module, imported ujisim module, line, inside a function) for every import of ours."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = _module_name(path)
        tree = ast.parse(path.read_text(), filename=str(path))
        nested = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:  # from . import scene_roads
                package = module if path.name == "__init__.py" else module.rpartition(".")[0]
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                node.module = f"{base}.{node.module}" if node.module else base
                node.level = 0
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                # ``from ujisim.exam import attempts`` imports the module ujisim.exam.attempts
                # (and its package first, which Python finishes before the submodule runs);
                # ``from ujisim.exam import grade`` imports ujisim.exam itself
                targets = sorted(
                    {
                        f"{node.module}.{alias.name}"
                        if f"{node.module}.{alias.name}" in MODULES
                        else node.module
                        for alias in node.names
                    }
                )
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                if target.startswith("ujisim"):
                    found.append((module, target, node.lineno, id(node) in nested))
    return found


def _domain(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def upward(imports) -> list[str]:
    """Imports from a domain later in the flow."""
    return [
        f"{module}:{line} imports {target}"
        for module, target, line, _ in imports
        if module not in ASSEMBLY
        and _domain(module)
        and _domain(target)
        and LAYERS.index(_domain(target)) > LAYERS.index(_domain(module))
    ]


def hidden(imports) -> list[str]:
    """Imports of our own code inside a function (how a cycle hides), outside the assembly."""
    return [
        f"{module}:{line} imports {target}"
        for module, target, line, nested in imports
        if nested and module not in ASSEMBLY
    ]


def cycles(imports) -> list[str]:
    """Each module-import cycle once, as ``a -> b -> a``."""
    graph = defaultdict(set)
    modules = {module for module, *_ in imports}
    for module, target, _, _ in imports:
        if target in modules and target != module:
            graph[module].add(target)
    found = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                found.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(modules):
        if module not in state:
            visit(module, [module])
    return found


IMPORTS = _imports()


def test_domains_import_only_downstream():
    assert upward(IMPORTS) == []


def test_no_import_hides_in_a_function():
    assert hidden(IMPORTS) == []


def test_no_import_cycles():
    assert cycles(IMPORTS) == []


def test_the_checks_see_planted_violations():
    planted = [
        ("ujisim.exam.attempts", "ujisim.certificates.print_queue", 1, False),
        ("ujisim.exam.grading", "ujisim.exam.attempts", 2, True),
        ("ujisim.exam.attempts", "ujisim.exam.grading", 3, False),
    ]
    assert upward(planted) == ["ujisim.exam.attempts:1 imports ujisim.certificates.print_queue"]
    assert hidden(planted) == ["ujisim.exam.grading:2 imports ujisim.exam.attempts"]
    assert cycles(planted) == [
        "ujisim.exam.attempts -> ujisim.exam.grading -> ujisim.exam.attempts"
    ]

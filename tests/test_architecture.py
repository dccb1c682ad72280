"""The shape of the code (issue 18, point 3): domains import only downstream, none hides an
upstream import inside a function, no two modules import each other, and no hand-made hook
registry comes back.

The data flows question_bank -> exam -> proctoring -> renewal -> certificates, with core and
accounts below all: a module may import from its own domain and from domains before it. An
upstream domain hears of events, and answers questions, through blinker signals
(``<domain>/signals.py``), connected in the listening domain's ``init_app``: not through a
``register_*`` function or a list or dict of another module that it fills."""

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
#: modules whose registries are the design: tasks by name (like Celery's), workflows by model
REGISTRY_MODULES = {"ujisim.core.jobs", "ujisim.core.workflow"}
#: ``register_*`` functions that are verbs of the domain, not hooks
REGISTER_VERBS = {"ujisim.accounts.services.register_applicant"}  # signs an applicant up
#: the methods that put something into a list, dict or set
FILLERS = {"append", "extend", "insert", "add", "update", "setdefault"}


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


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str | None:
    """The module an ``ImportFrom`` names, relative imports resolved."""
    if not node.level:
        return node.module
    package = module if is_package else module.rpartition(".")[0]
    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
    return f"{base}.{node.module}" if node.module else base


def _bindings(tree: ast.Module, module: str, is_package: bool) -> dict[str, str]:
    """Local name -> the dotted name of ours it is bound to by an import (a module, or a name
    in one)."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ujisim"):
                    name = alias.asname or alias.name.partition(".")[0]
                    bound[name] = alias.name if alias.asname else "ujisim"
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(node, module, is_package)
            if source and source.startswith("ujisim"):
                for alias in node.names:
                    bound[alias.asname or alias.name] = f"{source}.{alias.name}"
    return bound


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _filled(node: ast.AST) -> ast.expr | None:
    """The container a statement or call puts something into: ``x.append(...)``,
    ``x.setdefault(...)``, ``x[key] = ...``, ``x[key] += ...``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.value if node.func.attr in FILLERS else None
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
        return next((t.value for t in targets if isinstance(t, ast.Subscript)), None)
    return None


def registries(sources: dict[str, str]) -> list[str]:
    """Hand-made hook registries: a module-level ``register_*`` function (outside the registry
    modules and the domain verbs), and a module putting something into a list, dict or set of
    another module of ours (how the domains used to plug their hooks in)."""
    found = []
    for module, source in sorted(sources.items()):
        tree = ast.parse(source)
        if module not in REGISTRY_MODULES:
            found += [
                (module, node.lineno, f"{module}:{node.lineno} defines {node.name}")
                for node in tree.body
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.name.startswith("register_")
                and f"{module}.{node.name}" not in REGISTER_VERBS
            ]
        bound = _bindings(tree, module, module in PACKAGES)
        for node in ast.walk(tree):
            container = _filled(node)
            dotted = _dotted(container) if container is not None else None
            head, _dot, rest = (dotted or "").partition(".")
            if head not in bound:
                continue
            target = ".".join(filter(None, [bound[head], rest]))
            if target in MODULES:  # a module's function called (``risk.add(...)``)
                continue
            owner = max((m for m in MODULES if target.startswith(f"{m}.")), key=len, default=None)
            if owner is not None and owner != module:
                found.append((module, node.lineno, f"{module}:{node.lineno} fills {target}"))
    return [finding for *_where, finding in sorted(found)]


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
PACKAGES = {_module_name(path) for path in PACKAGE.rglob("__init__.py")}
SOURCES = {
    _module_name(path): path.read_text()
    for path in PACKAGE.rglob("*.py")
    if "migrations" not in path.parts
}


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


def test_no_hand_made_registries():
    assert registries(SOURCES) == []


#: the registries issue 18 took out, as they were written (and one allowed verb)
PLANTED = {
    "ujisim.exam.views": "BEGIN_GUARDS: list = []\n",
    "ujisim.proctoring": (
        "from ujisim.exam import views as exam_views\n"
        "from ujisim.proctoring import checks\n"
        "\n"
        "def init_app(app):\n"
        "    exam_views.BEGIN_GUARDS.append(checks.require_gate)\n"
    ),
    "ujisim.exam.reports": (
        "QUEUES = {}\n"
        "\n"
        "def register_queue(name, label, fn=None):\n"
        "    QUEUES[name] = (name, label, fn)\n"
    ),
    "ujisim.certificates": (
        "from ujisim.certificates.verification import DOCUMENT_SOURCES\n"
        "import ujisim.core.duties\n"
        "from ..core import duties as rules\n"
        "DOCUMENT_SOURCES['card'] = object\n"
        "ujisim.core.duties._subjects.setdefault(object, object)\n"
        "rules._open_business['renewal'] += ()\n"
    ),
    "ujisim.accounts.services": "def register_applicant(session, email):\n    pass\n",
    "ujisim.core.jobs": "def register_task(name):\n    pass\n",
}


def test_the_registry_check_sees_planted_registries():
    assert registries(PLANTED) == [
        "ujisim.certificates:4 fills ujisim.certificates.verification.DOCUMENT_SOURCES",
        "ujisim.certificates:5 fills ujisim.core.duties._subjects",
        "ujisim.certificates:6 fills ujisim.core.duties._open_business",
        "ujisim.exam.reports:3 defines register_queue",
        "ujisim.proctoring:5 fills ujisim.exam.views.BEGIN_GUARDS",
    ]
    # planted into the package as it is, the old begin guard is the one finding
    package = dict(SOURCES)
    package["ujisim.proctoring"] += "\n" + PLANTED["ujisim.proctoring"]
    (finding,) = registries(package)
    assert finding.startswith("ujisim.proctoring:")
    assert finding.endswith(" fills ujisim.exam.views.BEGIN_GUARDS")


def session_names(sources: dict[str, str]) -> list[str]:
    """Where the database session goes by another name than ``session``: a name bound to
    ``get_session()``, or a parameter called ``db``."""
    found = []
    for module, text in sorted(sources.items()):
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                called = node.value.func
                if isinstance(called, ast.Name) and called.id == "get_session":
                    for target in node.targets:
                        if isinstance(target, ast.Name) and target.id != "session":
                            found.append(f"{module}:{node.lineno} names the session {target.id}")
            if isinstance(node, ast.arg) and node.arg == "db":
                found.append(f"{module}:{node.lineno} takes the session as db")
    return found


def test_the_session_has_one_name():
    assert session_names(SOURCES) == []


def test_the_session_name_check_sees_planted_names():
    planted = {
        "ujisim.a": "def view():\n    db = get_session()\n",
        "ujisim.b": "def grade(db, attempt):\n    pass\n",
        "ujisim.c": "def view():\n    session = get_session()\n",
    }
    assert session_names(planted) == [
        "ujisim.a:2 names the session db",
        "ujisim.b:1 takes the session as db",
    ]

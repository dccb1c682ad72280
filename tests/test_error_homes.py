"""Every exception class of ours lives in its domain's ``errors.py`` (issue 18, point 5).

A class counts as an exception when it derives from ``BaseException``, as Python resolves its
bases in the module, so a pydantic model named ``Error`` in a ``schemas.py`` is not one, and a
subclass of a domain error imported from elsewhere is."""

from __future__ import annotations

import ast
import builtins
import importlib
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ujisim"
#: exceptions known to live elsewhere, each to leave once moved (test_pending_is_still_pending);
#: empty since the OpenAPI work's DocumentError and SchemaMismatch moved to core/errors.py
PENDING: set[str] = set()


def _is_exception(base: ast.expr, namespace: dict) -> bool:
    try:
        value = eval(ast.unparse(base), {"__builtins__": builtins}, namespace)  # noqa: S307
    except Exception:  # a base local to a function: not resolvable from the module
        return False
    return isinstance(value, type) and issubclass(value, BaseException)


def exceptions_outside_errors(root: Path, package: str) -> list[str]:
    """``module.Class`` for each class deriving from an exception in a module of ``package``
    (at ``root``) other than an ``errors.py``; migrations are left out. Only modules that
    define a class are imported."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if "migrations" in relative.parts or path.name == "errors.py":
            continue
        classes = [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.ClassDef)]
        if not classes:
            continue
        parts = (package, *relative.with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        namespace = vars(importlib.import_module(name))
        found += [
            f"{name}.{node.name}"
            for node in classes
            if any(_is_exception(base, namespace) for base in node.bases)
        ]
    return sorted(found)


def test_exceptions_live_in_errors_modules():
    found = exceptions_outside_errors(PACKAGE, "ujisim")
    assert [name for name in found if name not in PENDING] == []


def test_pending_is_still_pending():
    """A pending exception that has moved must leave PENDING, so the set only shrinks."""
    assert set(exceptions_outside_errors(PACKAGE, "ujisim")) >= PENDING


PLANTED = {
    "__init__.py": "",
    "errors.py": "class DomainError(Exception):\n    pass\n",
    "schemas.py": ("from pydantic import BaseModel\n\n\nclass Error(BaseModel):\n    code: str\n"),
    "service.py": (
        "from planted_errors_pkg.errors import DomainError\n\n\n"
        "class Stale(DomainError):\n    pass\n\n\n"
        "class BadRow(ValueError):\n    pass\n\n\n"
        "class Plain:\n    pass\n\n\n"
        "def parse():\n"
        "    class Inner(KeyError):\n        pass\n\n"
        "    return Inner\n"
    ),
    "sub/__init__.py": "",
    "sub/errors.py": "class SubError(RuntimeError):\n    pass\n",
}


def test_the_check_finds_an_exception_outside_errors(tmp_path, monkeypatch):
    root = tmp_path / "planted_errors_pkg"
    for relative, text in PLANTED.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        found = exceptions_outside_errors(root, "planted_errors_pkg")
    finally:
        for name in [m for m in sys.modules if m.startswith("planted_errors_pkg")]:
            del sys.modules[name]

    assert found == [
        "planted_errors_pkg.service.BadRow",
        "planted_errors_pkg.service.Inner",
        "planted_errors_pkg.service.Stale",
    ]

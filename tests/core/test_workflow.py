"""The one workflow engine (core/workflow.py): nothing but ``advance`` assigns a status, every
status column of every model has a table, and the scan that checks the first really finds an
assignment planted in the source."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import shutil
from pathlib import Path

import pytest

import ujisim
from tests.workflow_walk import pairs, walk
from ujisim.core import clock, workflow
from ujisim.core.db import Base
from ujisim.core.mail import MailStatus, OutboxMessage

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL

ROOT = Path(ujisim.__file__).resolve().parent
#: the engine itself sets the field; migrations fix up old rows in bulk, below the models
EXEMPT = {Path("core/workflow.py"), Path("migrations")}
#: attribute names that hold a status: every workflow's field, and anything called *_state or
#: *_status (the transition logs' own from_state / to_state are written at creation only)
STATUS_NAME = re.compile(r"(state|status|decision)$|_(state|status)$")
LOG_COLUMNS = {"from_state", "to_state"}
#: assignments to an attribute of that name that is no model's status: (file, source of target)
NOT_A_MODEL = {
    # WebhookRefused carries the HTTP status of the refusal
    (Path("renewal/errors.py"), "self.status"),
}


def _status_name(name: str) -> bool:
    return bool(STATUS_NAME.search(name)) and name not in LOG_COLUMNS


def _targets(node: ast.AST):
    if isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            yield from _targets(element)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)
    else:
        yield node


def scan_source(source: str, path: Path) -> list[str]:
    """Where ``source`` assigns a status outside the engine: ``obj.state = ...`` (also in
    tuples, augmented or annotated), ``setattr(obj, "status", ...)`` or ``setattr`` with a
    computed name (not a module's constant), and ``.values(status=...)`` /
    ``.values({"state": ...})`` (a bulk UPDATE)."""
    found = []
    for node in ast.walk(ast.parse(source, str(path))):
        where = f"{path}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in (t for each in targets for t in _targets(each)):
                if isinstance(target, ast.Attribute) and _status_name(target.attr):
                    if (path, ast.unparse(target)) not in NOT_A_MODEL:
                        found.append(f"{where} {ast.unparse(target)} = ...")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if name == "setattr" and len(node.args) >= 2:
                attr = node.args[1]
                constant = isinstance(attr, ast.Name) and attr.id.isupper()  # e.g. g, BACK_KEY
                if isinstance(attr, ast.Constant):
                    if _status_name(str(attr.value)):
                        found.append(f"{where} {ast.unparse(node)}")
                elif not constant:  # a computed name may be a status (a loop over columns)
                    found.append(f"{where} {ast.unparse(node)}")
            elif name == "values":
                keys = [k.arg for k in node.keywords if k.arg]
                for arg in node.args:
                    if isinstance(arg, ast.Dict):
                        keys += [k.value for k in arg.keys if isinstance(k, ast.Constant)]
                if any(_status_name(str(key)) for key in keys):
                    found.append(f"{where} {ast.unparse(node)}")
    return found


def scan(root: Path) -> list[str]:
    """Every status assignment outside the engine in the package at ``root``."""
    found = []
    for file in sorted(root.rglob("*.py")):
        relative = file.relative_to(root)
        if any(relative == e or e in relative.parents for e in EXEMPT):
            continue
        found += scan_source(file.read_text(encoding="utf-8"), relative)
    return found


def test_nothing_but_the_engine_assigns_a_status():
    assert scan(ROOT) == []


PLANTED = [
    "    payment.status = PaymentStatus.PAID",
    "    payment.status, payment.paid_at = PaymentStatus.PAID, None",
    "    application.identity_status += ''",
    "    order.state: str = 'delivered'",
    "    setattr(payment, 'status', 'paid')",
    "    setattr(payment, name, 'paid')",
    "    session.execute(update(Payment).values(status='paid'))",
    "    session.execute(update(Payment).where(Payment.id == 1).values({'status': 'paid'}))",
]


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("planted") / "ujisim"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo"))
    return copy


@pytest.mark.parametrize("line", PLANTED)
def test_the_scan_finds_an_assignment_planted_in_a_module(package_copy, line):
    """A copy of the package with one line planted in renewal/payments.py: the scan names it
    (file and line), and only it."""
    copy = package_copy
    module = copy / "renewal" / "payments.py"
    source = (ROOT / "renewal" / "payments.py").read_text(encoding="utf-8")
    module.write_text(f"{source}\n\ndef planted(session, payment, name):\n{line}\n")
    planted_at = len(source.splitlines()) + 4
    found = scan(copy)
    assert len(found) == 1
    assert found[0].startswith(f"renewal/payments.py:{planted_at} ")


def test_an_assignment_in_the_engine_or_to_a_log_column_is_not_reported():
    assert scan_source("event.from_state = 'a'\nevent.to_state = 'b'\n", Path("x.py")) == []
    assert scan_source("obj.state = 'a'\n", Path("renewal/errors.py")) == [
        "renewal/errors.py:1 obj.state = ..."
    ]


#: entry points that build an app when imported
ENTRY_POINTS = {"ujisim.celery_app"}


def _import_every_module():
    for module in pkgutil.walk_packages(ujisim.__path__, "ujisim."):
        if ".migrations" not in module.name and module.name not in ENTRY_POINTS:
            importlib.import_module(module.name)


def test_every_status_column_of_every_model_has_a_table():
    _import_every_module()
    columns = {
        (mapper.class_, prop.key)
        for mapper in Base.registry.mappers
        for prop in mapper.column_attrs
        if _status_name(prop.key)
    }
    tables = {(w.model, w.field) for w in workflow.REGISTRY.values()}
    assert columns == tables
    for w in workflow.REGISTRY.values():
        states = set(w.states)
        assert {s for pair in w.transitions for s in pair} <= states
        assert all(verb and a != b for (a, b), verb in w.transitions.items())


@pytest.mark.parametrize(("src", "dst"), pairs(MailStatus))
def test_mail_status_table(db, src, dst):
    message = OutboxMessage(
        to="a@example.id", subject="s", body="b", kind="test", created_at=clock.now(), attempts=0
    )
    db.add(message)
    walk(db, message, src, dst)

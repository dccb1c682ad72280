"""Walking a workflow's table (core/workflow.py): every (from, to) pair of its states, the
allowed ones succeed, the others raise ``IllegalTransition`` and change nothing."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from ujisim.core import workflow
from ujisim.core.audit import AuditRecord
from ujisim.core.errors import IllegalTransition


def pairs(states) -> list[tuple]:
    """Every (from, to) pair of ``states``, for ``parametrize``."""
    return list(itertools.product(states, states))


def _counts(db, flow: workflow.Workflow, obj) -> tuple[int, int]:
    events = 0
    if flow.event is not None:
        events = db.scalar(select(func.count()).select_from(flow.event))
    return events, db.scalar(select(func.count()).select_from(AuditRecord))


def walk(db, obj, start, to, actor=None, **context) -> str | None:
    """Put ``obj`` in ``start`` (set-up writes the field itself), then ask the engine for ``to``.

    Allowed by the table: the field is ``to`` in the database, one event row (if the model
    keeps a log) and one audit record ``<prefix>.<verb>`` (if audited) were added; returns the
    verb. Refused: ``IllegalTransition``, and the row, its log and the audit chain are as they
    were; returns None."""
    flow = workflow.workflow_of(obj, type(to))
    setattr(obj, flow.field, start)
    db.flush()
    events, records = _counts(db, flow, obj)
    verb = flow.transitions.get((start, to))
    if verb is None:
        with pytest.raises(IllegalTransition):
            workflow.advance(db, obj, to, actor, "walk", **context)
        db.flush()
        db.refresh(obj)
        assert getattr(obj, flow.field) == start
        assert _counts(db, flow, obj) == (events, records)
        return None
    workflow.advance(db, obj, to, actor, "walk", **context)
    db.refresh(obj)
    assert getattr(obj, flow.field) == to
    recorded = verb not in flow.quiet
    new_events, new_records = _counts(db, flow, obj)
    assert new_events == events + (1 if flow.event is not None and recorded else 0)
    if flow.audit_prefix is not None and recorded:
        last = db.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
        assert (last.object_type, last.action.rsplit(".", 1)[0]) == (
            flow.object_type,
            flow.audit_prefix.rsplit(".", 1)[0],
        )
        assert last.action.endswith(verb)
        assert new_records == records + 1
    else:
        assert new_records == records
    return verb

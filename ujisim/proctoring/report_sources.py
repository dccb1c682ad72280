"""Proctoring flag rates in the examiners' reports (ujisim.exam.reports), answering its signals."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ujisim.exam import reports, signals
from ujisim.proctoring.models import IdentityCheck, ProctorCase


def flag_rates(session: Session, start: datetime, end: datetime) -> dict[str, float | None]:
    """Of the proctored exams opened in the period, the share flagged for review; of the
    identity checks decided in it, the share that failed. None when there is nothing to count."""
    cases, flagged = session.execute(
        select(func.count(ProctorCase.id), func.count(ProctorCase.flagged_at)).where(
            ProctorCase.created_at >= start, ProctorCase.created_at < end
        )
    ).one()
    decided = (
        select(IdentityCheck.decision)
        .where(IdentityCheck.decided_at >= start, IdentityCheck.decided_at < end)
        .where(IdentityCheck.decision.in_(["passed", "failed"]))
        .subquery()
    )
    checks, failed = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((decided.c.decision == "failed", 1), else_=0)), 0),
        ).select_from(decided)
    ).one()
    return {
        str(_l("Proctored exams flagged")): flagged / cases if cases else None,
        str(_l("Identity checks failed")): failed / checks if checks else None,
    }


def rates(_sender) -> list[reports.Source]:
    """``exam.signals.report_rates``: the flag rates."""
    return [reports.Source("proctoring", _l("Proctoring flag rates"), flag_rates)]


def connect() -> None:
    """Answer the report's signal (idempotent: blinker keeps one connection per receiver)."""
    signals.report_rates.connect(rates)

"""The print queue in the examiners' daily report (ujisim.exam.reports), answering its signals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ujisim.certificates.models import JobState, PrintJob
from ujisim.exam import reports, signals


def print_queue(session: Session) -> reports.QueueStatus:
    """Jobs not printed yet (ready or claimed); age from when each was queued."""
    count, oldest = session.execute(
        select(func.count(PrintJob.id), func.min(PrintJob.created_at)).where(
            PrintJob.state.in_([JobState.READY, JobState.CLAIMED])
        )
    ).one()
    return reports.QueueStatus(count or 0, oldest)


def queues(_sender) -> list[reports.Source]:
    """``exam.signals.report_queues``: the print queue."""
    return [reports.Source("print", _l("Print"), print_queue)]


def connect() -> None:
    """Answer the report's signal (idempotent: blinker keeps one connection per receiver)."""
    signals.report_queues.connect(queues)

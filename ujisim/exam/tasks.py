"""Exam jobs: the sweeper closes overdue attempts every minute; item statistics are updated
after each grade (and every 15 minutes, which catches voided attempts)."""

from ujisim.core import jobs
from ujisim.core.db import get_session
from ujisim.exam.analysis import recompute_stats, update_stats
from ujisim.exam.grading import sweep


@jobs.task("exam.sweep")
def sweep_job() -> int:
    session = get_session()
    closed = sweep(session)
    session.commit()
    return closed


@jobs.task("exam.stats")
def stats_job() -> int:
    session = get_session()
    added = update_stats(session)
    session.commit()
    return added


@jobs.task("exam.stats_recompute")
def stats_recompute_job() -> int:
    session = get_session()
    counted = recompute_stats(session)
    session.commit()
    return counted


def register() -> None:
    jobs.every(60, "exam.sweep")
    jobs.every(15 * 60, "exam.stats")

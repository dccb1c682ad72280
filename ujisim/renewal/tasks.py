"""Renewal jobs: expire unpaid virtual accounts (and their applications), ask the payment
provider for owed refunds, and delete
identity-check frames past their retention (``certificates.tasks`` catches up the delivery
orders whose card was printed) and send the daily reminders (reminders.py)."""

from ujisim.core import jobs
from ujisim.core.db import get_session
from ujisim.renewal.identity import purge_frames
from ujisim.renewal.payments import expire_unpaid
from ujisim.renewal.refunds import request_due
from ujisim.renewal.reminders import send_next_text, send_reminders


@jobs.task("renewal.expire_unpaid")
def expire_unpaid_job() -> int:
    session = get_session()
    expired = expire_unpaid(session)
    session.commit()
    return expired


@jobs.task("renewal.frames_retention")
def frames_retention_job() -> int:
    session = get_session()
    deleted = purge_frames(session)
    session.commit()
    return deleted


@jobs.task("renewal.refunds")
def refunds_job() -> int:
    """Ask the payment provider for every refund owed (deferred by a rejection's commit, and
    every minute for a provider that was unreachable)."""
    session = get_session()
    asked = request_due(session)
    session.commit()
    return asked


@jobs.task("renewal.remind")
def remind_job() -> str:
    session = get_session()
    report = send_reminders(session)
    session.commit()
    return str(report)


#: texts handed to the channel by one run of the job at most (the rest: the next run)
TEXTS_PER_RUN = 500


@jobs.task("renewal.send_texts")
def send_texts_job() -> int:
    """Hand the queued reminder texts to the channel, one per transaction (deferred by the
    reminders' commit, and every five minutes for the ones the channel refused)."""
    session = get_session()
    handled = 0
    while handled < TEXTS_PER_RUN and send_next_text(session) is not None:
        session.commit()
        handled += 1
    session.commit()
    return handled


def register() -> None:
    jobs.every(60, "renewal.expire_unpaid")
    jobs.every(60, "renewal.refunds")
    jobs.every(3600, "renewal.frames_retention")
    # the day's reminders: hourly, so they go out early in the day even when the thread
    # runner restarted (its first run of a job waits one period); a repeated run (several
    # processes, the same day again) sends nothing twice
    jobs.every(3600, "renewal.remind")
    jobs.every(300, "renewal.send_texts")

"""The licence cards of renewals, seen from the print side: renewal (below us) issues a card and
asks for its label through ``renewal.signals``; we queue the card's print job, move its delivery
order on once printed and forget its jobs with the account."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.accounts import signals as account_signals
from ujisim.certificates import print_documents, render
from ujisim.certificates import signals as print_signals
from ujisim.certificates.models import JobState, PrintJob
from ujisim.core.documents import CardData, LabelData
from ujisim.renewal import delivery, signals
from ujisim.renewal.models import DeliveryOrder, OrderState, RenewalApplication


def connect() -> None:
    """Connect the receivers (idempotent: blinker keeps one connection per receiver)."""
    signals.card_issued.connect(queue_card)
    signals.label_wanted.connect(label_pdf)
    print_signals.job_printed.connect(card_printed)
    account_signals.account_deleting.connect(forget_print_jobs)


def queue_card(licence, *, session: Session, card: CardData, actor=None) -> PrintJob:
    """``renewal.signals.card_issued``: the card's print job (one per card)."""
    return print_documents.enqueue_card(session, card, actor)


def label_pdf(data: LabelData) -> bytes:
    """``renewal.signals.label_wanted``: the A6 shipping label."""
    return render.label_pdf(data)


def card_printed(job: PrintJob, *, session: Session) -> None:
    """``certificates.signals.job_printed``: a printed card moves its delivery order on at once
    (``sync_printed`` stays as a safety net)."""
    delivery.mark_card_printed(session, job)


def sync_printed(session: Session) -> int:
    """Catch up orders whose card job is printed (after a crash between the two). Run every
    minute by the job runner."""
    jobs = session.scalars(
        select(PrintJob)
        .join(DeliveryOrder, DeliveryOrder.print_job_id == PrintJob.id)
        .where(DeliveryOrder.state == OrderState.CREATED, PrintJob.state == JobState.PRINTED)
    ).all()
    return sum(delivery.mark_card_printed(session, job) is not None for job in jobs)


def forget_print_jobs(user, *, session: Session) -> None:
    """``accounts.signals.account_deleting``: the card print jobs of the account's renewals
    hold copies of its photo, signature and data; they go too (the orders themselves go with
    the cascade)."""
    jobs = session.scalars(
        select(PrintJob)
        .join(DeliveryOrder, DeliveryOrder.print_job_id == PrintJob.id)
        .join(RenewalApplication, RenewalApplication.id == DeliveryOrder.application_id)
        .where(RenewalApplication.user_id == user.id)
    ).all()
    for job in jobs:
        print_documents.forget_job(session, job)

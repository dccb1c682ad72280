"""The licence cards of renewals, seen from the print side: renewal (below us) issues a card and
asks for its label through ``renewal.signals``; we queue the card's print job, move its delivery
order on once printed and forget its jobs with the account.

Each claim of a card job prints a new physical copy: the claim issues it in renewal's registry
of card copies (a new serial, the earlier copy superseded); a failed print, a job given back
unprinted or a reprint voids the claim's copy. The serial goes on the card and into its QR."""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.accounts import signals as account_signals
from ujisim.certificates import print_documents, render
from ujisim.certificates import signals as print_signals
from ujisim.certificates.models import JobKind, JobState, PrintJob, PrintStation
from ujisim.core import workflow
from ujisim.core.documents import CardData, LabelData
from ujisim.renewal import card_copies, delivery, signals
from ujisim.renewal.models import CardCopy, DeliveryOrder, OrderState, RenewalApplication


def connect() -> None:
    """Connect the receivers (idempotent: blinker keeps one connection per receiver)."""
    signals.card_issued.connect(queue_card)
    signals.label_wanted.connect(label_pdf)
    print_signals.job_printed.connect(card_printed)
    print_signals.job_moved.connect(card_job_moved)
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


def _licence_of(session: Session, job: PrintJob):
    """The registry's licence a card job prints, or None (a card from outside the registry)."""
    if job.kind != JobKind.CARD or not job.card_json:
        return None
    fields = json.loads(job.card_json)
    return card_copies.get_card_licence(
        session, fields["licence_number"], date.fromisoformat(fields["issued_on"])
    )


def _holder_label(session: Session, job: PrintJob) -> str:
    if job.station_id is not None:
        return f"station:{session.get(PrintStation, job.station_id).public_id}"
    return f"user:{job.user_id}" if job.user_id is not None else ""


def issue_copy(session: Session, job: PrintJob, actor=None) -> CardCopy | None:
    """The card copy of the job's current claim, issued if it has none yet (a claim made before
    copies were kept); None for a job that prints no registered card."""
    licence = _licence_of(session, job)
    if licence is None or job.claims < 1:
        return None
    return card_copies.issue_copy(
        session,
        licence,
        print_job_id=job.id,
        claim_no=job.claims,
        holder=_holder_label(session, job),
        actor=actor,
    )


def card_job_moved(job: PrintJob, *, session: Session, move: workflow.Move) -> None:
    """``certificates.signals.job_moved``: a claim prints a new copy (the earlier one is
    superseded); a failed print, a job given back unprinted or a reprint voids its copy. A lease
    that expired voids nothing: the claim that took the job supersedes the copy."""
    if job.kind != JobKind.CARD:
        return
    actor = move.actor if move.actor is not None else _station_actor(move)
    if move.to == JobState.CLAIMED:
        issue_copy(session, job, actor)
        return
    copy = card_copies.get_claim_copy(session, job.id, job.claims)
    if move.to == JobState.FAILED:
        card_copies.void_copy(session, copy, f"print failed: {move.reason}", actor)
    elif move.verb == "released" and move.context.get("holder") is not None:
        card_copies.void_copy(session, copy, "given back unprinted", actor)
    elif move.verb == "reprint":
        card_copies.void_copy(session, copy, f"reprint: {move.reason}", actor)


def _station_actor(move: workflow.Move):
    """A station is no user: the audit records name it by its public id."""
    holder = move.context.get("holder")
    if isinstance(holder, PrintStation):
        return SimpleNamespace(id=None, email=f"station:{holder.public_id}")
    return None


def serial_of(session: Session, job: PrintJob) -> str | None:
    """The serial to print on a card job's copy now: its current claim's copy (None unless the
    job is claimed: only a running claim prints)."""
    if job.state != JobState.CLAIMED:
        return None
    copy = issue_copy(session, job)
    return copy.serial if copy is not None else None


def claim_serial(session: Session, job: PrintJob) -> str | None:
    """The serial of the copy the job's current claim prints, if it has one (read only)."""
    if job.kind != JobKind.CARD or job.state != JobState.CLAIMED:
        return None
    copy = card_copies.get_claim_copy(session, job.id, job.claims)
    return copy.serial if copy is not None else None


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

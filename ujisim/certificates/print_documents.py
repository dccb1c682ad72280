"""Documents into the print queue (``print_queue.py``): one job per document, ever (a pass
certificate, a licence card whose photo and signature go into private storage), a card job's
data read back for printing, and a job forgotten with its holder's account. Services take a
``Session``, flush and never commit.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ujisim.accounts.models import User
from ujisim.certificates.models import JobKind, JobState, PrintJob
from ujisim.core import audit, clock, storage
from ujisim.core.documents import CardData
from ujisim.core.storage import StoredFile

IMAGE_PURPOSE = "print_card_image"


def get_job_by_key(session: Session, document_key: str) -> PrintJob | None:
    return session.scalars(select(PrintJob).where(PrintJob.document_key == document_key)).first()


def enqueue_job(
    session: Session,
    kind: JobKind,
    *,
    document_key: str,
    title: str,
    actor=None,
    **fields,
) -> PrintJob:
    """Put one document in the queue (state ready). Idempotent: a second call for the same
    ``document_key`` returns the existing job and changes nothing."""
    existing = get_job_by_key(session, document_key)
    if existing is not None:
        return existing
    job = PrintJob(
        kind=JobKind(kind),
        state=JobState.READY,
        document_key=document_key,
        title=title[:200],
        created_at=clock.now(),
        **fields,
    )
    try:
        with session.begin_nested():
            session.add(job)
    except IntegrityError:  # enqueued by a concurrent transaction
        return get_job_by_key(session, document_key)
    audit.record(
        session,
        "print.enqueued",
        actor=actor,
        object_type="print_job",
        object_id=job.public_id,
        data={"kind": job.kind, "document": document_key},
    )
    return job


def enqueue_certificate(session: Session, record, actor=None) -> PrintJob:
    """The pass certificate of ``record`` (a ``PassRecord``): one job per pass, ever."""
    title = f"SIM {record.vehicle_class} {record.score}/{record.total}"
    user = session.get(User, record.user_id)
    if user is not None:
        title = f"{user.full_name} · {title}"
    session.flush()  # a new record gets its id and public id
    return enqueue_job(
        session,
        JobKind.CERTIFICATE,
        document_key=f"certificate:{record.public_id}",
        title=title,
        actor=actor,
        pass_record_id=record.id,
    )


def on_passed(attempt, *, session: Session, record) -> None:
    """``exam.signals.passed``: one print job per pass; a regrade finds it."""
    enqueue_certificate(session, record)


_CARD_IMAGES = ("photo", "signature")


def enqueue_card(session: Session, card: CardData, actor=None) -> PrintJob:
    """A licence card (renewal calls this once the application is approved). The card's fields
    go into the job, its photo and signature into private storage. One job per card
    (licence number and issue date)."""
    document_key = f"card:{card.document_id}"
    existing = get_job_by_key(session, document_key)
    if existing is not None:
        return existing
    fields = {
        f.name: getattr(card, f.name)
        for f in dataclasses.fields(card)
        if f.name not in _CARD_IMAGES and not f.name.startswith("_")
    }
    for name in ("date_of_birth", "issued_on", "expires_on"):
        fields[name] = fields[name].isoformat()
    files = {}
    for name in _CARD_IMAGES:
        image = getattr(card, name)
        if image is not None:
            content_type = "image/png" if image.startswith(b"\x89PNG") else "image/jpeg"
            files[f"{name}_file_id"] = storage.store(
                session, image, content_type=content_type, purpose=IMAGE_PURPOSE
            ).id
    return enqueue_job(
        session,
        JobKind.CARD,
        document_key=document_key,
        title=f"{card.name} · SIM {card.licence_class} {card.licence_number}",
        actor=actor,
        card_json=json.dumps(fields, sort_keys=True),
        **files,
    )


def card_of(session: Session, job: PrintJob) -> CardData:
    """The card data of a card job, images read back from storage."""

    fields = json.loads(job.card_json)
    for name in ("date_of_birth", "issued_on", "expires_on"):
        fields[name] = date.fromisoformat(fields[name])
    for name in _CARD_IMAGES:
        file_id = getattr(job, f"{name}_file_id")
        fields[name] = storage.read(session.get(StoredFile, file_id)) if file_id else None
    return CardData(**fields)


def forget_job(session: Session, job: PrintJob) -> None:
    """Remove a job with its copies of the card's photo and signature (account deletion: the
    job holds the holder's personal data). The audit chain keeps that it was printed."""

    for name in _CARD_IMAGES:
        file_id = getattr(job, f"{name}_file_id")
        stored = session.get(StoredFile, file_id) if file_id else None
        if stored is not None:
            storage.delete(session, stored)
    session.delete(job)
    session.flush()

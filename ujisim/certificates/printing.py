"""The print files of queued jobs: a job's own PDF, or an imposed sheet of several cards.

Documents are rendered when they are downloaded, signed with the current key; the QR points to
this deployment's verification page (``url_for``, so call inside a request), and the short code
beside it stands for the same token (``codes.signed``). A card carries the serial of the copy
its claim prints (``renewal_cards.serial_of``), on its face and in its QR.
"""

from __future__ import annotations

import dataclasses

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ujisim.certificates import codes, renewal_cards
from ujisim.certificates.errors import DocumentUnavailable
from ujisim.certificates.models import JobKind, PrintJob
from ujisim.certificates.print_documents import card_of
from ujisim.certificates.render import card_pdf, certificate_pdf, imposition_pdf
from ujisim.certificates.verification import certificate_data
from ujisim.core.errors import ValidationError
from ujisim.exam.models import PassRecord

MAX_BATCH = 50


def document_of(session: Session, job: PrintJob):
    """The job's document as plain data, or ``DocumentUnavailable`` (a revoked pass must never
    be printed)."""
    if job.kind == JobKind.CARD:
        card = card_of(session, job)
        return dataclasses.replace(card, serial=renewal_cards.serial_of(session, job))

    record = session.get(PassRecord, job.pass_record_id)
    if record is None or record.revoked_at is not None:
        raise DocumentUnavailable(
            _("The pass behind this certificate was revoked; do not print it.")
        )
    data = certificate_data(session, record)
    if data is None:
        raise DocumentUnavailable(
            _("The holder has no NIK on record; the certificate cannot be printed.")
        )
    return data


def filename(job: PrintJob) -> str:
    return f"{job.kind}-{job.public_id}.pdf"


def document_pdf(session: Session, job: PrintJob) -> bytes:
    """One job's print file: the A4 certificate, or the card's front and back (ID-1)."""
    data = codes.signed(session, document_of(session, job))
    return card_pdf(data) if job.kind == JobKind.CARD else certificate_pdf(data)


def batch_pdf(session: Session, jobs: list[PrintJob]) -> bytes:
    """Card jobs imposed on A4 sheets (10 a sheet, backs mirrored for duplex), in the given
    order."""
    if not jobs or len(jobs) > MAX_BATCH:
        raise ValidationError(
            _("A batch holds 1 to %(n)s card jobs.", n=MAX_BATCH), {"jobs": "count"}
        )
    if any(job.kind != JobKind.CARD for job in jobs):
        raise ValidationError(
            _("Only card jobs can be imposed on sheets; download certificates one by one."),
            {"jobs": "kind"},
        )
    return imposition_pdf([codes.signed(session, document_of(session, job)) for job in jobs])

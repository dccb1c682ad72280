"""The officer's verification: the queue, approval (new licence, card print job, delivery
order), rejection with a specific reason (and a refund), and the identity review after three
failed checks."""

from __future__ import annotations

import json
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from ujisim.accounts.nik import parse_nik
from ujisim.core import audit, clock, storage, workflow
from ujisim.core.documents import CardData, Found
from ujisim.core.errors import IllegalTransition, ValidationError
from ujisim.core.storage import StoredFile
from ujisim.renewal import card_copies, delivery, documents, refunds, registry, signals, tracking
from ujisim.renewal.application import advance, check_version, lock_application
from ujisim.renewal.models import (
    AppState,
    CopyStatus,
    IdentityStatus,
    Licence,
    LicenceStatus,
    ReferenceSource,
    RenewalApplication,
)

REJECT_REASONS = tracking.REJECT_REASONS
VALID_YEARS = 5


def query_queue(session: Session, limit: int = 200) -> list[RenewalApplication]:
    """Applications waiting for an officer: paid ones (oldest payment first), then identity
    reviews."""
    paid = session.scalars(
        select(RenewalApplication)
        .where(RenewalApplication.state == AppState.PAID)
        .order_by(RenewalApplication.paid_at, RenewalApplication.id)
        .limit(limit)
    ).all()
    review = session.scalars(
        select(RenewalApplication)
        .where(RenewalApplication.state == AppState.IDENTITY_REVIEW)
        .order_by(RenewalApplication.updated_at, RenewalApplication.id)
        .limit(limit)
    ).all()
    return [*paid, *review]


def queue_position(session: Session, application: RenewalApplication) -> int | None:
    """1 for the next paid application the officers take; None when not waiting."""
    if application.state != AppState.PAID:
        return None
    ahead = session.scalar(
        select(func.count())
        .select_from(RenewalApplication)
        .where(
            RenewalApplication.state == AppState.PAID,
            RenewalApplication.paid_at < application.paid_at,
        )
    )
    return (ahead or 0) + 1


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _card_data(
    session: Session,
    licence: Licence,
    photo: bytes,
    signature: bytes | None,
    serial: str | None = None,
):
    return CardData(
        licence_number=licence.number,
        licence_class=licence.licence_class,
        name=licence.holder_name,
        place_of_birth=licence.place_of_birth or "-",
        date_of_birth=licence.date_of_birth,
        address=licence.address,
        sex=parse_nik(licence.holder_nik).sex,
        issued_on=licence.issued_on,
        expires_on=licence.expires_on,
        issuing_office=licence.satpas,
        photo=photo,
        signature=signature,
        serial=serial,
    )


def card_source(session: Session, document_id: str):
    """The licence card behind a card QR (``<number>.<issued YYYYMMDD>[.<serial>]``), rebuilt
    from the registry for ``certificates.check_token``; None when there is no such card, no such
    copy of it or its photo is gone. A revoked card, or one replaced by a renewal, shows as
    revoked; then a copy that a later copy superseded, or that was voided (reason
    ``superseded`` or ``void``)."""
    number, _dot, issued = document_id.partition(".")
    issued, _dot, serial = issued.partition(".")
    try:
        issued_on = datetime.strptime(issued, "%Y%m%d").date()
    except ValueError:
        return None
    licence = session.scalars(
        select(Licence).where(Licence.number == number, Licence.issued_on == issued_on)
    ).first()
    if licence is None or licence.photo_file_id is None:
        return None
    copy = None
    if serial:
        copy = card_copies.get_copy(session, serial)
        if copy is None or copy.licence_id != licence.id:
            return None
    photo = storage.read(session.get(StoredFile, licence.photo_file_id))
    signature = (
        storage.read(session.get(StoredFile, licence.signature_file_id))
        if licence.signature_file_id
        else None
    )
    data = _card_data(session, licence, photo, signature, serial=serial or None)
    # the licence's own status first: a renewed or revoked licence answers as it always did
    if licence.status == LicenceStatus.REPLACED and licence.replaced_by_id:
        newer = session.get(Licence, licence.replaced_by_id)
        return Found(
            data, revoked=True, revoked_at=newer.created_at if newer else None, replaced=True
        )
    if licence.status == LicenceStatus.REVOKED:
        return Found(data, revoked=True)
    if copy is not None and copy.status != CopyStatus.VALID:
        return Found(data, revoked=True, revoked_at=copy.ended_at, reason=str(copy.status))
    if copy is None:
        # a card printed before copies had serials: any copy printed since supersedes it
        since = card_copies.query_copies(session, licence)
        if since:
            return Found(data, revoked=True, revoked_at=since[0].created_at, reason="superseded")
    return Found(data)


def approve(
    session: Session, application: RenewalApplication, officer, version=None
) -> RenewalApplication:
    """Issue the new licence (same number, valid 5 years from today, at the delivery address
    the holder chose), mark the old one replaced, queue the card print job and create the
    delivery order."""
    application = lock_application(session, application)
    check_version(application, version)
    if application.state != AppState.PAID:
        raise IllegalTransition(
            _("Only a paid application waiting for verification can be approved.")
        )
    old = session.scalars(
        select(Licence).where(Licence.id == application.licence_id).with_for_update()
    ).one()
    docs = documents.get_documents(session, application)
    today = registry.local_today()
    new = Licence(
        number=old.number,
        licence_class=old.licence_class,
        holder_nik=old.holder_nik,
        holder_name=old.holder_name,
        date_of_birth=old.date_of_birth,
        place_of_birth=old.place_of_birth,
        address=registry.new_address(session, old, application, officer),
        photo_file_id=docs["photo"].file_id,
        signature_file_id=docs["signature"].file_id,
        photo_encoding=None,
        issued_on=today,
        expires_on=add_years(today, VALID_YEARS),
        satpas=application.satpas or old.satpas,
        status=LicenceStatus.ACTIVE,
        created_at=clock.now(),
    )
    session.add(new)
    session.flush()
    new.photo_encoding = registry_encoding(session, docs["photo"].file_id)
    old.replaced_by_id = new.id
    workflow.advance(session, old, LicenceStatus.REPLACED, officer, "renewed")
    application.new_licence_id = new.id
    photo = storage.read(session.get(StoredFile, docs["photo"].file_id))
    signature = storage.read(session.get(StoredFile, docs["signature"].file_id))
    card = _card_data(session, new, photo, signature)
    job = signals.answer(signals.card_issued.send(new, session=session, card=card, actor=officer))
    session.flush()
    audit.record(
        session,
        "renewal.licence_issued",
        actor=officer,
        object_type="licence",
        object_id=new.public_id,
        data={
            "number": new.number,
            "expires_on": new.expires_on.isoformat(),
            "replaces": old.public_id,
            "print_job": job.public_id,
        },
    )
    advance(session, application, AppState.APPROVED, officer, "approved")
    delivery.create_order(session, application, new, job.id, officer)
    return application


def registry_encoding(session: Session, file_id: int) -> str | None:
    """The stored photo's face encoding as the registry keeps it (the next renewal compares
    against it)."""
    encoding = registry.face_encoding_of(storage.read(session.get(StoredFile, file_id)))
    return json.dumps(encoding) if encoding else None


def reject(
    session: Session,
    application: RenewalApplication,
    officer,
    reason: str,
    note: str = "",
    version=None,
) -> RenewalApplication:
    """Reject with one of REJECT_REASONS; a paid application gets a refund record (fees minus
    the bank fee). The holder may apply again while the licence is valid."""
    application = lock_application(session, application)
    check_version(application, version)
    if reason not in REJECT_REASONS:
        raise ValidationError(_("Choose the reason for the rejection."), {"reason": "required"})
    if application.state not in (AppState.PAID, AppState.IDENTITY_REVIEW):
        raise IllegalTransition(_("This application is not waiting for an officer."))
    application.reject_reason = reason
    application.reject_note = (note or "").strip()[:1000] or None
    if application.state == AppState.PAID:
        refunds.create_refund(session, application, reason)
    return advance(session, application, AppState.REJECTED, officer, reason)


def identity_source(application: RenewalApplication) -> ReferenceSource | None:
    """The reference the identity check compares with (identity.resolve_reference); None while
    it is not chosen yet. Applications from before it was recorded: the licence photo when it
    shows a face, else (nothing on file to compare with) the in-person check."""
    if application.reference_source:
        return ReferenceSource(application.reference_source)
    if application.identity_status == IdentityStatus.IN_PERSON:
        return ReferenceSource.IN_PERSON
    if application.state in (AppState.DOCUMENTS, AppState.IDENTITY):
        return None
    licence = object_session(application).get(Licence, application.licence_id)
    return ReferenceSource.LICENCE_PHOTO if licence.encoding else ReferenceSource.IN_PERSON


def in_person_required(application: RenewalApplication) -> bool:
    """Whether an officer may confirm the identity only having seen the holder in person: there
    is no photo on file that the camera tries (or the officer) could be compared with. Only the
    licence photo is on file at the desk; the population register photo is not kept."""
    return (
        application.identity_status == IdentityStatus.IN_PERSON
        or identity_source(application) != ReferenceSource.LICENCE_PHOTO
    )


def clear_identity(
    session: Session,
    application: RenewalApplication,
    officer,
    version=None,
    *,
    in_person: bool = False,
) -> RenewalApplication:
    """The officer confirms the identity: after three failed checks against the licence photo,
    from the evidence; otherwise (no licence photo: the tries were against the population
    register photo, or there was nothing to compare with) only having seen the holder in person
    (``in_person``: the KTP checked against the NIK and the face against the KTP), which then is
    what the identity rests on. The holder goes on to the delivery choice and payment."""
    application = lock_application(session, application)
    check_version(application, version)
    if application.state != AppState.IDENTITY_REVIEW:
        raise IllegalTransition(_("This application is not waiting for an identity review."))
    source = identity_source(application)
    required = in_person_required(application)
    if required and not in_person:
        raise ValidationError(
            _(
                "There is no photo on file to compare with. Confirm only after seeing the holder "
                "in person at the Satpas office with their KTP, and tick the box that says so."
            ),
            {"in_person": "required"},
        )
    advance(session, application, IdentityStatus.CLEARED, officer, "confirmed by an officer")
    if required:
        application.reference_source = ReferenceSource.IN_PERSON
        application.reference_encoding = None
    reason = "identity confirmed by officer" + (" in person" if required else "")
    reason += f" (reference: {application.reference_source or source})"
    return advance(session, application, AppState.DELIVERY, officer, reason)

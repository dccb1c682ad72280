"""Documents and declarations: the new passport-style photo (checked by the officers' rules in
``photo_rules.py``, its face compared with the licence photo), the signature
(``signature_rules.py``), and the e-Rikkes and ePPsi certificates (verified with their providers,
``health.py``)."""

from __future__ import annotations

from datetime import date

import numpy as np
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.core import audit, clock, storage
from ujisim.core import images as intake
from ujisim.core.errors import IllegalTransition
from ujisim.core.security import Role
from ujisim.proctoring import faces
from ujisim.proctoring.errors import FaceError
from ujisim.renewal import health, identity, images, photo_rules, registry, signature_rules
from ujisim.renewal.application import advance, check_version, lock_application
from ujisim.renewal.errors import CertificatesUnavailable, DocumentFaults, InvalidDocument
from ujisim.renewal.models import AppState, Licence, RenewalApplication, RenewalDocument

FILE_PURPOSE = "renewal_document"


@storage.access_rule(FILE_PURPOSE)
def _document_rule(user, stored) -> bool:
    """The holder's uploads: the holder, examiners (verification) and admins."""
    return stored.owner_id == user.id or user.has_any_role(Role.EXAMINER, Role.ADMIN)


@storage.access_rule(registry.FILE_PURPOSE)
def _licence_rule(user, stored) -> bool:
    """Registry photos and signatures: examiners and admins only."""
    return user.has_any_role(Role.EXAMINER, Role.ADMIN)


def check_photo(clean: images.CleanImage) -> photo_rules.PhotoCheck:
    """The photo rules on a cleaned upload (one face detection; its encoding is kept for the
    comparison with the licence photo)."""
    try:
        image = faces.load_image(clean.data)
    except FaceError as exc:
        raise InvalidDocument(exc.message, {"photo": exc.message}, code=exc.code) from exc
    limits = photo_rules.Limits.from_config(current_app.config)
    return photo_rules.check_photo(image, clean.width, clean.height, limits)


def check_signature(data: bytes) -> list[photo_rules.Fault]:
    """The signature rules on the upload as sent (colour, transparency on white)."""
    image = intake.flatten(intake.open_image(data, "signature"))
    return signature_rules.check_signature(image)


def photo_match(encoding: list[float], licence: Licence) -> tuple[float | None, float]:
    """(distance of the photo's face to the licence photo's, tolerance); distance None:
    nothing to compare."""
    tolerance = float(current_app.config.get("RENEWAL_WEAK_MATCH", 0.5))
    if licence.encoding is None:
        return None, tolerance
    distance = float(np.linalg.norm(np.asarray(encoding) - np.asarray(licence.encoding)))
    return distance, tolerance


def submit_documents(
    session: Session,
    application: RenewalApplication,
    *,
    photo: bytes,
    signature: bytes,
    health_number: str,
    health_date: date | None,
    psych_number: str,
    psych_date: date | None,
    actor,
    version=None,
) -> RenewalApplication:
    """Check everything first, then store: a refused field changes nothing.

    The photo and the signature must pass the officers' rules (``photo_rules``,
    ``signature_rules``); every fault of both uploads and every refused certificate field is
    reported at once (:class:`DocumentFaults`, its ``faults`` list each upload's faults); the
    certificates are verified with their providers (a provider that cannot answer: 503, nothing
    kept). The
    photo's one face detection also gives the encoding compared with the licence photo. The
    photo is compared with the licence photo; a distance above ``RENEWAL_WEAK_MATCH``
    (default 0.5, stricter than the 0.6 used for webcam frames since both are posed, frontal
    photos) flags the document for the officer but does not refuse it: the officer decides.
    """
    application = lock_application(session, application)
    check_version(application, version)
    if application.state != AppState.DOCUMENTS:
        raise IllegalTransition(_("The documents of this application were already sent."))
    licence = session.get(Licence, application.licence_id)
    today = registry.local_today(getattr(actor, "timezone", None) or "Asia/Jakarta")
    errors: dict[str, str] = {}
    faults: dict[str, list[photo_rules.Fault]] = {}
    cleaned = {}
    for kind, data in (("photo", photo), ("signature", signature)):
        try:
            cleaned[kind] = images.clean_image(data, kind)
        except InvalidDocument as exc:
            errors[kind] = exc.message
    distance, tolerance, measures = None, None, {}
    if "photo" in cleaned:
        try:
            checked = check_photo(cleaned["photo"])
        except InvalidDocument as exc:
            errors["photo"] = exc.message
        else:
            measures = checked.measures
            if checked.faults:
                faults["photo"] = checked.faults
            else:
                distance, tolerance = photo_match(checked.encoding, licence)
    if "signature" in cleaned:
        found = check_signature(signature)
        if found:
            faults["signature"] = found
    certificates: dict[str, health.Verified] = {}
    unavailable = None
    for kind, number, issued in (
        ("health", health_number, health_date),
        ("psych", psych_number, psych_date),
    ):
        try:
            certificates[kind] = health.verify_certificate(
                kind, number, issued, licence.holder_nik, today
            )
        except CertificatesUnavailable as exc:
            unavailable = exc
            errors.update(exc.fields)
        except InvalidDocument as exc:
            errors.update(exc.fields)
    for kind, found in faults.items():
        errors[kind] = " ".join(fault.message for fault in found)
    if unavailable is not None:
        # nothing is accepted while a provider cannot answer: 503, every field kept on the page
        raise CertificatesUnavailable(unavailable.message, errors)
    if faults:
        raise DocumentFaults(_("Please correct the marked fields."), errors, faults)
    if errors:
        raise InvalidDocument(_("Please correct the marked fields."), errors)
    # the identity step's reference face (the licence photo, else the population register's),
    # chosen before anything is written
    reference = identity.choose_reference(session, application)
    now = clock.now()
    for kind, clean in cleaned.items():
        stored = storage.store(
            session, clean.data, content_type=clean.content_type, purpose=FILE_PURPOSE, owner=actor
        )
        weak = kind == "photo" and (distance is None or distance > tolerance)
        session.add(
            RenewalDocument(
                application_id=application.id,
                kind=kind,
                file_id=stored.id,
                width=clean.width,
                height=clean.height,
                face_distance=distance if kind == "photo" else None,
                face_tolerance=tolerance if kind == "photo" else None,
                weak_match=weak,
                created_at=now,
            )
        )
    # the providers' dates and fees (the fees were paid to them: on the bill, not in the VA)
    health_cert, psych_cert = certificates["health"], certificates["psych"]
    application.health_cert_number, application.health_cert_date = (
        health_cert.number,
        health_cert.issued_on,
    )
    application.psych_cert_number, application.psych_cert_date = (
        psych_cert.number,
        psych_cert.issued_on,
    )
    application.fee_health, application.fee_psych = health_cert.fee, psych_cert.fee
    session.flush()
    audit.record(
        session,
        "renewal.documents",
        actor=actor,
        object_type="renewal",
        object_id=application.public_id,
        data={
            "distance": distance,
            "tolerance": tolerance,
            "photo": measures,
            "certificates": {
                kind: {"number": v.number, "issued_on": v.issued_on.isoformat(), "by": v.provider}
                for kind, v in certificates.items()
            },
        },
    )
    advance(session, application, AppState.IDENTITY, actor)
    identity.record_reference(session, application, reference, actor)
    return application


def get_documents(session: Session, application: RenewalApplication) -> dict[str, RenewalDocument]:
    rows = session.scalars(
        select(RenewalDocument).where(RenewalDocument.application_id == application.id)
    )
    return {row.kind: row for row in rows}

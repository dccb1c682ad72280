"""The holder's camera identity check: the proctoring identity check with a renewal application
as its subject.

The face work and the evidence are the exam's (``proctoring.bursts.analyse_burst``,
``burst_reason``, ``burst_evidence``, ``store_frame``; the same action challenge from
``faces.random_challenge`` and the same page script). What the subject changes:

- the reference face is the photo on the licence being renewed (its encoding was computed once,
  when the licence entered the registry), not the registration photo; a licence with no photo
  on file takes the population register (Dukcapil) photo of the holder's NIK instead
  (:func:`resolve_reference`), and with neither the holder is checked in person at the Satpas
  office: a face is never "matched" against nothing;
- the tolerance is ``RENEWAL_IDENTITY_TOLERANCE`` (default: ``PROCTOR_TOLERANCE``), stored with
  the try and in the evidence;
- the result goes through :func:`application.record_identity_result`, which counts the tries
  (``MAX_IDENTITY_TRIES``) and sends the application to an officer after the last failure.
"""

from __future__ import annotations

import json
import logging
import statistics
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ujisim.core import audit, clock, storage, workflow
from ujisim.core.errors import ConflictError, NotFoundError
from ujisim.proctoring import bursts, checks, faces
from ujisim.proctoring.consent import current_consent
from ujisim.proctoring.errors import ProctoringRequired
from ujisim.proctoring.models import Decision
from ujisim.renewal import application as apps
from ujisim.renewal import images, population, registry
from ujisim.renewal.errors import InvalidDocument, InvalidNik, ProviderRefused
from ujisim.renewal.models import (
    AppState,
    Licence,
    ReferenceSource,
    RenewalApplication,
    RenewalIdentityCheck,
)

#: a try is decided once; its record is the application's ``renewal.identity_result`` with the
#: evidence (and the identity status's own move), so the decision writes no audit record itself
DECISION_WORKFLOW = workflow.register(
    workflow.Workflow(
        model=RenewalIdentityCheck,
        field="decision",
        states=Decision,
        transitions={
            (Decision.PENDING, Decision.PASSED): "passed",
            (Decision.PENDING, Decision.FAILED): "failed",
        },
        object_type="renewal_identity_check",
    )
)

log = logging.getLogger(__name__)

MAX_TRIES = apps.MAX_IDENTITY_TRIES


def tolerance() -> float:
    config = current_app.config
    return float(config.get("RENEWAL_IDENTITY_TOLERANCE", config["PROCTOR_TOLERANCE"]))


def licence_encoding(session: Session, application: RenewalApplication) -> list[float] | None:
    """The face encoding of the licence photo (None: the record has no photo with one face)."""
    return session.get(Licence, application.licence_id).encoding


def _set_source(
    session: Session,
    application: RenewalApplication,
    source: ReferenceSource | None,
    actor=None,
    **data,
) -> None:
    """Record what the identity rests on (None: nothing to compare with yet); audited whenever
    it changes, and whenever the register was asked (``data``: what it answered)."""
    previous = application.reference_source
    application.reference_source = source
    if source != ReferenceSource.POPULATION_REGISTER:
        application.reference_encoding = None
    session.flush()
    if previous != source or data:
        audit.record(
            session,
            "renewal.identity_reference",
            actor=actor,
            object_type="renewal",
            object_id=application.public_id,
            data={"from": previous, "to": source, **data},
        )


def _register_encoding(licence: Licence) -> tuple[list[float] | None, dict]:
    """The face encoding of the population register photo of the licence holder's NIK, and
    what the register answered (for the audit record). None when the register does not know
    the NIK, holds no photo, is unavailable, or its photo is refused by the image intake or
    shows no single face."""
    try:
        register = population.provider()
        answer = register.lookup(licence.holder_nik)
    except InvalidNik:
        return None, {"register": "invalid_nik"}
    except ProviderRefused as exc:  # a misconfiguration: never a face from it
        log.error("population register refused: %s", exc)
        return None, {"register": "refused"}
    data = {"register": str(answer.outcome), "provider": register.name}
    if answer.outcome == population.Outcome.UNAVAILABLE:
        log.warning("population register unavailable: %s", answer.detail)
        return None, data
    record = answer.record
    if record is None or record.photo_jpeg is None:
        return None, {**data, "photo": "none"}
    if record.birth_date != licence.date_of_birth:
        # the register and the licence disagree about the person: nothing to prove them by
        return None, {**data, "photo": "birth_date_mismatch"}
    try:
        clean = images.clean_image(record.photo_jpeg, population.PHOTO_PROFILE, "photo")
    except InvalidDocument as exc:
        log.warning("population register photo refused by the intake: %s", exc.code)
        return None, {**data, "photo": exc.code}
    encoding = registry.face_encoding_of(clean.data)
    return encoding, {**data, "photo": "face" if encoding else "no_single_face"}


@dataclass(frozen=True)
class ReferenceChoice:
    """The reference face chosen for an application, not yet recorded on it."""

    source: ReferenceSource | None
    #: the register photo's encoding (population_register only)
    encoding: list[float] | None = None
    #: what the register answered, when it was asked (for the audit record)
    answer: dict | None = None


def choose_reference(session: Session, application: RenewalApplication) -> ReferenceChoice:
    """The reference face of the identity check, without writing anything (the register
    look-up and the face encoding may take a while; no write transaction waits for them): the
    licence photo when it shows a face; else the population register photo of the holder's NIK
    (asked once: a register face already chosen is kept, so every try compares with the same
    face); else None, and the holder can only be checked in person (:func:`ask_officer`)."""
    if application.reference_source == ReferenceSource.IN_PERSON:
        return ReferenceChoice(ReferenceSource.IN_PERSON)
    licence = session.get(Licence, application.licence_id)
    if licence.encoding is not None:
        return ReferenceChoice(ReferenceSource.LICENCE_PHOTO)
    if (
        application.reference_source == ReferenceSource.POPULATION_REGISTER
        and application.reference_encoding
    ):
        return ReferenceChoice(
            ReferenceSource.POPULATION_REGISTER, json.loads(application.reference_encoding)
        )
    encoding, answer = _register_encoding(licence)
    if encoding is None:
        return ReferenceChoice(None, answer=answer)
    return ReferenceChoice(ReferenceSource.POPULATION_REGISTER, encoding, answer)


def record_reference(
    session: Session, application: RenewalApplication, choice: ReferenceChoice, actor=None
) -> ReferenceSource | None:
    """Keep ``choice`` on the application (audited)."""
    if choice.source == ReferenceSource.POPULATION_REGISTER:
        application.reference_encoding = json.dumps([round(v, 8) for v in choice.encoding])
    _set_source(session, application, choice.source, actor, **(choice.answer or {}))
    return choice.source


def resolve_reference(
    session: Session, application: RenewalApplication, actor=None
) -> ReferenceSource | None:
    """Choose the reference face (:func:`choose_reference`) and record it on the application."""
    return record_reference(session, application, choose_reference(session, application), actor)


def reference_encoding(session: Session, application: RenewalApplication) -> list[float] | None:
    """The face the camera frames are compared with, as chosen by :func:`resolve_reference`
    (None: nothing to compare with, so no camera check can be decided). Applications from
    before the choice was recorded compare with the licence photo."""
    source = application.reference_source
    if source == ReferenceSource.POPULATION_REGISTER:
        return (
            json.loads(application.reference_encoding) if application.reference_encoding else None
        )
    if source in (None, ReferenceSource.LICENCE_PHOTO):
        return licence_encoding(session, application)
    return None


def _escalated() -> ConflictError:
    return ConflictError(
        _("After %(n)s failed tries an officer checks your identity instead.", n=MAX_TRIES),
        code="escalated",
    )


def issue_challenge(
    session: Session, application: RenewalApplication, user
) -> RenewalIdentityCheck:
    """A new try with a random action challenge, or the unanswered one asked again (a reload
    loses no try)."""
    if application.state == AppState.IDENTITY_REVIEW:
        raise _escalated()
    if application.state != AppState.IDENTITY:
        raise ConflictError(_("Your identity check has already passed."), code="passed")
    if current_consent(session, user) is None:
        raise ProctoringRequired(_("Give your consent to the camera check first."))
    resolve_reference(session, application, user)
    if reference_encoding(session, application) is None:
        raise ConflictError(
            _(
                "There is no photo of you to compare with, on your SIM record or in the "
                "population register. Ask for the in-person check."
            ),
            code="no_licence_face",
        )
    pending = session.scalars(
        select(RenewalIdentityCheck).where(
            RenewalIdentityCheck.application_id == application.id,
            RenewalIdentityCheck.decision == "pending",
        )
    ).first()
    if pending is not None and not checks.expired(pending):
        return checks.rearm(pending)  # a reload: the same try, a new challenge and clock
    if pending is not None:
        decide(session, pending, None, user)
        session.refresh(application)
        if application.state != AppState.IDENTITY:
            raise _escalated()
    tries = session.scalar(
        select(func.count()).where(RenewalIdentityCheck.application_id == application.id)
    )
    check = RenewalIdentityCheck(
        application_id=application.id,
        try_number=tries + 1,
        challenge_json=faces.random_challenge().to_json(),
        tolerance=tolerance(),
        issued_at=clock.now(),
    )
    session.add(check)
    session.flush()
    return check


def get_check(session: Session, public_id: str) -> RenewalIdentityCheck:
    check = session.scalars(
        select(RenewalIdentityCheck).where(RenewalIdentityCheck.public_id == str(public_id)[:40])
    ).first()
    if check is None:
        raise NotFoundError(_("This identity check does not exist."))
    return check


def decide(
    session: Session, check: RenewalIdentityCheck, burst: bursts.Burst | None, user
) -> RenewalApplication:
    """Decide ``check`` from the analysed ``burst`` (None: the challenge expired unanswered) and
    record the result with its evidence on the application."""
    if check.decision != "pending":
        raise ConflictError(_("This identity check has already been decided."), code="decided")
    application = session.get(RenewalApplication, check.application_id)
    licence = session.get(Licence, application.licence_id)
    evidence = {
        "check": check.public_id,
        "try": check.try_number,
        "challenge": check.challenge.to_dict(),
        "tolerance": check.tolerance,
        # "licence" (the licence photo) as before, or "population_register"
        "reference": "licence"
        if application.reference_source in (None, ReferenceSource.LICENCE_PHOTO)
        else str(application.reference_source),
        "licence": licence.public_id,
        "encoder": faces.ENCODER,
    }
    if burst is None or checks.expired(check):
        reason = "expired"
    else:
        reason = bursts.burst_reason(burst)
        evidence.update(bursts.burst_evidence(burst))
        found = [d for d in evidence["distances"] if d is not None]
        # one number for the officer's table: the median distance of the frames with a face
        evidence["distance"] = statistics.median(found) if found else None
        evidence["frame_file_ids"] = [checks.store_frame(session, burst.keep, user).id]
    evidence["reason"] = reason
    check.reason, check.decided_at = reason, clock.now()
    decision = Decision.PASSED if reason == "ok" else Decision.FAILED
    workflow.advance(session, check, decision, user, reason)
    application = apps.record_identity_result(session, application, reason == "ok", evidence, user)
    if (
        application.state == AppState.IDENTITY_REVIEW
        and application.reference_source == ReferenceSource.POPULATION_REGISTER
    ):
        # the tries failed against the register photo, which no officer has on file to judge
        # them by: the holder is checked in person (verification.clear_identity)
        apps.advance(
            session,
            application,
            apps.IdentityStatus.IN_PERSON,
            user,
            "failed tries",
            reference=ReferenceSource.POPULATION_REGISTER,
        )
    return application


def ask_officer(session: Session, application: RenewalApplication, user, version=None):
    """Neither the licence photo nor the population register has a face to compare with, so no
    camera check can prove the holder: the application waits for an in-person check at the
    Satpas office (an officer confirms the identity only after seeing the holder and the KTP
    there), so the holder is not stuck and nobody with a holder's KTP details can renew with
    their own face."""
    application = apps.lock_application(session, application)
    apps.check_version(application, version)
    if application.state != AppState.IDENTITY:
        raise ConflictError(_("This application is not waiting for an identity check."))
    if reference_encoding(session, application) is not None:
        raise ConflictError(
            _("Take the camera check; an officer steps in after %(n)s tries.", n=MAX_TRIES)
        )
    apps.advance(
        session, application, apps.IdentityStatus.IN_PERSON, user, "no face to compare with"
    )
    _set_source(session, application, ReferenceSource.IN_PERSON, user)
    return apps.advance(
        session,
        application,
        AppState.IDENTITY_REVIEW,
        user,
        "no face on the licence photo: in person",
    )


#: an application in one of these states needs its identity frames no longer
ENDED = (AppState.COMPLETED, AppState.REJECTED, AppState.EXPIRED, AppState.CANCELLED)


def purge_frames(session: Session, *, days: int | None = None) -> int:
    """Delete the camera frames kept from identity checks of renewals that ended more than
    ``days`` (PROCTOR_RETENTION_DAYS) ago, and the population register face encodings kept as
    their reference; the evidence keeps its numbers and says when the frames went. Returns the
    number of files deleted (logged and audited)."""
    days = current_app.config["PROCTOR_RETENTION_DAYS"] if days is None else days
    now = clock.now()
    register_faces = session.execute(
        update(RenewalApplication)
        .where(
            RenewalApplication.state.in_(ENDED),
            RenewalApplication.updated_at < now - timedelta(days=days),
            RenewalApplication.reference_encoding.is_not(None),
        )
        .values(reference_encoding=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    ended = session.scalars(
        select(RenewalApplication).where(
            RenewalApplication.state.in_(ENDED),
            RenewalApplication.updated_at < now - timedelta(days=days),
            RenewalApplication.identity_evidence.contains('"frame_file_ids"'),
        )
    )
    deleted = 0
    for application in ended.all():
        entries = application.evidence
        for entry in entries:
            for file_id in entry.get("frame_file_ids", []):
                stored = session.get(storage.StoredFile, file_id)
                if stored is not None:
                    storage.delete(session, stored)
                    deleted += 1
            if entry.pop("frame_file_ids", None) is not None:
                entry["frames_deleted_at"] = now.isoformat()
        application.identity_evidence = json.dumps(entries, default=str)
    session.flush()
    log.info(
        "renewal identity frames past %s days: %s deleted, %s register faces",
        days,
        deleted,
        register_faces,
    )
    if deleted or register_faces:
        audit.record(
            session,
            "renewal.frames_retention",
            data={"days": days, "files": deleted, "register_faces": register_faces},
        )
    return deleted

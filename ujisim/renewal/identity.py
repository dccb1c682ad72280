"""The holder's camera identity check: the proctoring identity check with a renewal application
as its subject.

The face work and the evidence are the exam's (``proctoring.checks.analyse_burst``,
``burst_reason``, ``burst_evidence``, ``store_frame``; the same action challenge from
``faces.random_challenge`` and the same page script). What the subject changes:

- the reference face is the photo on the licence being renewed (its encoding was computed once,
  when the licence entered the registry), not the registration photo;
- the tolerance is ``RENEWAL_IDENTITY_TOLERANCE`` (default: ``PROCTOR_TOLERANCE``), stored with
  the try and in the evidence;
- the result goes through :func:`application.record_identity_result`, which counts the tries
  (``MAX_IDENTITY_TRIES``) and sends the application to an officer after the last failure.
"""

from __future__ import annotations

import json
import logging
import statistics
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ujisim.core import audit, clock, storage
from ujisim.core.errors import ConflictError, NotFoundError
from ujisim.proctoring import checks, faces
from ujisim.proctoring.consent import current_consent
from ujisim.proctoring.errors import ProctoringRequired
from ujisim.renewal import application as apps
from ujisim.renewal.models import AppState, Licence, RenewalApplication, RenewalIdentityCheck

log = logging.getLogger(__name__)

S = AppState
MAX_TRIES = apps.MAX_IDENTITY_TRIES


def tolerance() -> float:
    config = current_app.config
    return float(config.get("RENEWAL_IDENTITY_TOLERANCE", config["PROCTOR_TOLERANCE"]))


def licence_encoding(session: Session, application: RenewalApplication) -> list[float] | None:
    """The face encoding of the licence photo (None: the record has no photo with one face)."""
    return session.get(Licence, application.licence_id).encoding


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
    if application.state == S.IDENTITY_REVIEW:
        raise _escalated()
    if application.state != S.IDENTITY:
        raise ConflictError(_("Your identity check has already passed."), code="passed")
    if current_consent(session, user) is None:
        raise ProctoringRequired(_("Give your consent to the camera check first."))
    if licence_encoding(session, application) is None:
        raise ConflictError(
            _("The photo on your SIM record cannot be compared. Ask an officer to check."),
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
        if application.state != S.IDENTITY:
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
    session: Session, check: RenewalIdentityCheck, burst: checks.Burst | None, user
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
        "reference": "licence",
        "licence": licence.public_id,
        "encoder": faces.ENCODER,
    }
    if burst is None or checks.expired(check):
        reason = "expired"
    else:
        reason = checks.burst_reason(burst)
        evidence.update(checks.burst_evidence(burst))
        found = [d for d in evidence["distances"] if d is not None]
        # one number for the officer's table: the median distance of the frames with a face
        evidence["distance"] = statistics.median(found) if found else None
        evidence["frame_file_ids"] = [checks.store_frame(session, burst.keep, user).id]
    evidence["reason"] = reason
    check.decision = "passed" if reason == "ok" else "failed"
    check.reason, check.decided_at = reason, clock.now()
    session.flush()
    return apps.record_identity_result(session, application, reason == "ok", evidence, user)


def ask_officer(session: Session, application: RenewalApplication, user, version=None):
    """The licence photo has no face to compare with, so no camera check can prove the holder:
    the application waits for an in-person check at the Satpas office (an officer confirms the
    identity only after seeing the holder and the KTP there), so the holder is not stuck and
    nobody with a holder's KTP details can renew with their own face."""
    application = apps.lock_application(session, application)
    apps.check_version(application, version)
    if application.state != S.IDENTITY:
        raise ConflictError(_("This application is not waiting for an identity check."))
    if licence_encoding(session, application) is not None:
        raise ConflictError(
            _("Take the camera check; an officer steps in after %(n)s tries.", n=MAX_TRIES)
        )
    application.identity_status = apps.IdentityStatus.IN_PERSON
    return apps.advance(
        session, application, S.IDENTITY_REVIEW, user, "no face on the licence photo: in person"
    )


#: an application in one of these states needs its identity frames no longer
ENDED = (AppState.COMPLETED, AppState.REJECTED, AppState.EXPIRED, AppState.CANCELLED)


def purge_frames(session: Session, *, days: int | None = None) -> int:
    """Delete the camera frames kept from identity checks of renewals that ended more than
    ``days`` (PROCTOR_RETENTION_DAYS) ago; the evidence keeps its numbers and says when the
    frames went. Returns the number of files deleted (logged and audited)."""
    days = current_app.config["PROCTOR_RETENTION_DAYS"] if days is None else days
    now = clock.now()
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
    log.info("renewal identity frames past %s days: %s deleted", days, deleted)
    if deleted:
        audit.record(session, "renewal.frames_retention", data={"days": days, "files": deleted})
    return deleted

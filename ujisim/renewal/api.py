"""JSON for the renewal identity check page (the proctoring page script, proctor.js, calls it):
the camera preview check, a new try with its head-turn challenge, and the burst of frames.

The responses have the shape of the exam's identity check API, so one script serves both. The
decision is the server's alone; every POST needs the X-CSRFToken header."""

from __future__ import annotations

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ujisim.core.db import get_db, get_session
from ujisim.core.errors import ConflictError, ValidationError
from ujisim.core.security import Role, limiter, role_required
from ujisim.proctoring import checks, faces
from ujisim.proctoring.consent import require_consent
from ujisim.proctoring.quality import frame_quality
from ujisim.renewal import application as apps
from ujisim.renewal import identity
from ujisim.renewal.models import AppState, RenewalApplication
from ujisim.renewal.views import load_own_application_or_404

bp = Blueprint("renewal_api", __name__, url_prefix="/api/v1/renewal")


def _per_user() -> str:
    return f"user:{current_user.get_id()}"


@bp.post("/applications/<public_id>/camera-check")
@role_required(Role.APPLICANT)
@limiter.limit("90 per minute", key_func=_per_user)
def camera_check(public_id: str):
    """One preview frame -> the first problem the holder can fix, or "ok". Without consent
    (UU 27/2022: biometric data) no frame is looked at."""
    session = get_session()
    load_own_application_or_404(public_id)
    require_consent(session, current_user)
    session.rollback()  # no transaction open while the face library works
    upload = request.files.get("frame")
    data = upload.read(checks.FRAME_MAX_BYTES + 1) if upload else b""
    if not data:
        raise ValidationError(_("No camera frame was sent."), {"frame": "required"})
    if len(data) > checks.FRAME_MAX_BYTES:
        raise ValidationError(_("A camera frame is too large."), {"frame": "too_large"})
    quality = frame_quality(faces.load_image(data, max_side=checks.FRAME_SIDE))
    return {
        "problem": quality.problem,
        "brightness": round(quality.brightness, 1),
        "faces": quality.faces,
        "face_share": quality.face_share,
    }


@bp.post("/applications/<public_id>/identity-checks")
@role_required(Role.APPLICANT)
@limiter.limit("20 per minute", key_func=_per_user)
def new_check(public_id: str):
    """Issue a try: its id, the actions to ask for and their schedule."""
    session = get_session()
    application = load_own_application_or_404(public_id)
    check = identity.issue_challenge(session, application, current_user)
    session.commit()
    return {
        **checks.challenge_payload(check),
        "try": check.try_number,
        "max_tries": identity.MAX_TRIES,
        "frames_url": url_for("renewal_api.check_frames", check_id=check.public_id),
    }


def _own_check(session, check_id: str):
    check = identity.get_check(session, check_id)
    application = session.get(RenewalApplication, check.application_id)
    if application.user_id != current_user.id:
        abort(404)
    return check, application


@bp.post("/identity-checks/<check_id>/frames")
@role_required(Role.APPLICANT)
@limiter.limit("20 per minute", key_func=_per_user)
def check_frames(check_id: str):
    """The burst of a try (multipart ``frames``), analysed in the request against the reference
    face, the licence photo or the population register photo (``times``: each frame's ms since
    the first prompt); the result is recorded on the application."""
    frames = [f.read(checks.FRAME_MAX_BYTES + 1) for f in request.files.getlist("frames")]
    times = checks.parse_times(request.form.get("times"), len(frames))
    reader = get_db().session(write=False)
    try:
        check, application = _own_check(reader, check_id)
        require_consent(reader, current_user)  # withdrawn since the try began: nothing analysed
        if check.decision != "pending":
            raise ConflictError(_("This identity check has already been decided."), code="decided")
        # the face chosen when the try was issued: the licence photo or the register's
        encoding = identity.reference_encoding(reader, application)
        if encoding is None:
            raise ConflictError(_("The photo on your SIM record cannot be compared."))
        checks.require_nonce(check, request.form.get("nonce"))
        inputs = (times, encoding, check.challenge, check.tolerance)
        elapsed, expired = checks.elapsed_ms(check), checks.expired(check)
    finally:
        reader.close()
    # the face work runs without a write transaction; an expired try fails unanalysed
    burst = None if expired else checks.analyse_burst(frames, *inputs, elapsed)
    session = get_session()
    check, application = _own_check(session, check_id)
    application = identity.decide(session, check, burst, current_user)
    session.commit()
    escalated = application.state == AppState.IDENTITY_REVIEW
    return {
        "decision": check.decision,
        "reason": check.reason,
        "advice": None if check.decision == "passed" else apps.identity_advice(check.reason),
        "try": check.try_number,
        "tries_left": max(0, identity.MAX_TRIES - application.identity_failures),
        "identity": "escalated" if escalated else str(application.identity_status),
        "next_url": url_for("renewal.show", public_id=application.public_id),
    }

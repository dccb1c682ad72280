"""JSON for the camera check, the identity check and the exam page's webcam script.

Frames arrive as multipart JPEGs; every POST needs the X-CSRFToken header. Decisions come from
the server's analysis only. An endpoint that takes frames refuses them (403, nothing analysed or
stored) unless the candidate has consented to the current consent text (UU 27/2022).

The JSON parts (events, status) are described by the OpenAPI document at
``/api/v1/proctoring/openapi.json`` (``openapi.py``), generated from the pydantic models of
``schemas.py`` that validate the event body."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ujisim.core.db import get_db, get_session
from ujisim.core.errors import ConflictError, ValidationError
from ujisim.core.schemas import parse_body
from ujisim.core.security import Role, limiter, role_required
from ujisim.exam.models import Attempt, AttemptState
from ujisim.exam.views import load_own_attempt_or_404
from ujisim.proctoring import checks, consent, faces, observations, openapi, schemas
from ujisim.proctoring.errors import ProctoringRequired
from ujisim.proctoring.models import ProctorCase
from ujisim.proctoring.quality import frame_quality
from ujisim.proctoring.reference import get_reference

bp = Blueprint("proctoring_api", __name__, url_prefix="/api/v1/proctoring")
S = AttemptState


def _per_user() -> str:
    return f"user:{current_user.get_id()}"


def _frame(name: str = "frame", limit: int = checks.FRAME_MAX_BYTES) -> bytes:
    upload = request.files.get(name)
    data = upload.read(limit + 1) if upload else b""
    if not data:
        raise ValidationError(_("No camera frame was sent."), {name: "required"})
    if len(data) > limit:
        raise ValidationError(_("A camera frame is too large."), {name: "too_large"})
    return data


def _case_or_409(session, attempt: Attempt) -> ProctorCase:
    case = checks.get_case(session, attempt)
    if case is None:
        raise ProctoringRequired(_("This exam is not proctored."))
    return case


def _status(session, attempt: Attempt, case: ProctorCase | None) -> dict:
    return {
        "state": attempt.state,
        "risk": case.risk if case else 0.0,
        "warning": case.warning if case else None,
        "warned_at": case.warned_at.isoformat() if case and case.warned_at else None,
        "identity": case.identity_status if case else "pending",
        "recheck_url": url_for("proctoring.check", public_id=attempt.public_id)
        if attempt.state == S.PAUSED
        else None,
        "interval_s": current_app.config["PROCTOR_SNAPSHOT_INTERVAL_S"],
        # after a new login (another tab) the page's token is stale: the script takes this one
        "csrf_token": generate_csrf(),
    }


@bp.post("/attempts/<public_id>/camera-check")
@role_required(Role.APPLICANT)
@limiter.limit("90 per minute", key_func=_per_user)
def camera_check(public_id: str):
    """One preview frame -> the first problem the candidate can fix, or "ok"."""
    load_own_attempt_or_404(public_id)
    consent.require_consent(get_session(), current_user)  # no frame is looked at without it
    get_session().rollback()  # no transaction open while the face library works
    image = faces.load_image(_frame(), max_side=checks.FRAME_SIDE)
    quality = frame_quality(image)
    return {
        "problem": quality.problem,
        "brightness": round(quality.brightness, 1),
        "faces": quality.faces,
        "face_share": quality.face_share,
    }


@bp.post("/attempts/<public_id>/checks")
@role_required(Role.APPLICANT)
@limiter.limit("20 per minute", key_func=_per_user)
def new_check(public_id: str):
    """Issue a try of the identity check: its id, the actions to ask for and their schedule."""
    session = get_session()
    attempt = load_own_attempt_or_404(public_id)
    check = checks.issue_challenge(session, attempt, current_user)
    session.commit()
    return {
        **checks.challenge_payload(check),
        "try": check.try_number,
        "max_tries": checks.MAX_TRIES,
        "frames_url": url_for("proctoring_api.check_frames", check_id=check.public_id),
    }


def _own_check(session, check_id: str):
    check = checks.get_check(session, check_id)
    case = session.get(ProctorCase, check.case_id)
    if case.user_id != current_user.id:
        abort(404)
    return check, case


@bp.post("/checks/<check_id>/frames")
@role_required(Role.APPLICANT)
@limiter.limit("20 per minute", key_func=_per_user)
def check_frames(check_id: str):
    """The burst of an identity check (multipart ``frames`` and ``times``, each frame's ms since
    the first prompt), analysed in the request."""
    frames = [f.read(checks.FRAME_MAX_BYTES + 1) for f in request.files.getlist("frames")]
    times = checks.parse_times(request.form.get("times"), len(frames))
    reader = get_db().session(write=False)
    try:
        check, _case = _own_check(reader, check_id)
        consent.require_consent(reader, current_user)
        if check.decision != "pending":
            raise ConflictError(_("This identity check has already been decided."), code="decided")
        reference = get_reference(reader, current_user)
        if reference is None:
            raise ProctoringRequired(_("Upload your photo first."))
        checks.require_nonce(check, request.form.get("nonce"))
        inputs = (times, reference.encoding, check.challenge, check.tolerance)
        elapsed, expired = checks.elapsed_ms(check), checks.expired(check)
    finally:
        reader.close()
    # an expired challenge fails without analysis (decide() records it)
    burst = None if expired else checks.analyse_burst(frames, *inputs, elapsed)
    session = get_session()
    check, case = _own_check(session, check_id)
    checks.decide(session, check, burst, current_user)
    session.commit()
    attempt = session.get(Attempt, case.attempt_id)
    return {
        "decision": check.decision,
        "reason": check.reason,
        "try": check.try_number,
        "tries_left": checks.MAX_TRIES - checks.failed_tries(session, case),
        "identity": case.identity_status,
        "next_url": url_for("exam.sit", public_id=attempt.public_id),
    }


@bp.post("/attempts/<public_id>/snapshots")
@role_required(Role.APPLICANT)
@limiter.limit("30 per minute", key_func=_per_user)
def snapshot(public_id: str):
    """A snapshot during the exam (multipart ``frame``, ``trigger``); analysed by a job."""
    session = get_session()
    attempt = load_own_attempt_or_404(public_id)
    case = _case_or_409(session, attempt)
    consent.require_consent(session, current_user)
    observations.record_snapshot(
        session,
        case,
        _frame(limit=observations.SNAPSHOT_MAX_BYTES),
        trigger=request.form.get("trigger", "interval"),
        owner=current_user,
        client_at=request.form.get("client_at"),
    )
    session.commit()  # the analysis job runs after this (in eager mode: right here)
    session.expire_all()
    return _status(session, session.get(Attempt, attempt.id), session.get(ProctorCase, case.id))


@bp.post("/attempts/<public_id>/events")
@role_required(Role.APPLICANT)
@limiter.limit("60 per minute", key_func=_per_user)
def event(public_id: str):
    """A browser event: {"type": "tab_hidden", "client_at": "..."}."""
    session = get_session()
    attempt = load_own_attempt_or_404(public_id)
    body = parse_body(schemas.BrowserEvent)
    case = _case_or_409(session, attempt)
    observations.record_event(session, case, body.type, body.client_at)
    session.commit()
    return _status(session, attempt, case)


@bp.get("/attempts/<public_id>/status")
@role_required(Role.APPLICANT)
def status(public_id: str):
    """The attempt's state, risk and newest warning (the exam page polls this)."""
    session = get_session()
    attempt = load_own_attempt_or_404(public_id)
    return _status(session, attempt, checks.get_case(session, attempt))


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 description of this API's JSON parts (public)."""
    return openapi.spec()

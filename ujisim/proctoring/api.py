"""JSON for the camera check, the identity check and the exam page's webcam script.

Frames arrive as multipart JPEGs; every POST needs the X-CSRFToken header. Decisions come from
the server's analysis only. An endpoint that takes frames refuses them (403, nothing analysed or
stored) unless the candidate has consented to the current consent text (UU 27/2022).

The JSON parts (events, status) are described by the OpenAPI document at
``/api/v1/proctoring/openapi.json`` (``openapi.py``), generated from these routes'
``@operation`` and the pydantic models of ``schemas.py`` that validate the event body; the
frame uploads are ``@undocumented``."""

from __future__ import annotations

from flask import Blueprint, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ujisim.core.db import get_session
from ujisim.core.openapi import operation, read_body, undocumented
from ujisim.core.requests import commit_now
from ujisim.core.security import Role, limiter, role_required
from ujisim.exam.models import Attempt, AttemptState
from ujisim.exam.views import load_own_attempt_or_404
from ujisim.proctoring import checks, consent, identity_check, observations, openapi, schemas
from ujisim.proctoring.errors import ProctoringRequired
from ujisim.proctoring.models import ProctorCase
from ujisim.proctoring.reference import get_reference

bp = Blueprint("proctoring_api", __name__, url_prefix="/api/v1/proctoring")


def _per_user() -> str:
    return f"user:{current_user.get_id()}"


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
        if attempt.state == AttemptState.PAUSED
        else None,
        "interval_s": current_app.config["PROCTOR_SNAPSHOT_INTERVAL_S"],
        # after a new login (another tab) the page's token is stale: the script takes this one
        "csrf_token": generate_csrf(),
    }


@bp.post("/attempts/<public_id>/camera-check")
@undocumented("a multipart camera frame")
@role_required(Role.APPLICANT)
@limiter.limit("90 per minute", key_func=_per_user)
def camera_check(public_id: str):
    """One preview frame -> the first problem the candidate can fix, or "ok"."""
    load_own_attempt_or_404(public_id)
    return identity_check.preview(get_session(), current_user)


@bp.post("/attempts/<public_id>/checks")
@undocumented("part of the identity check's frame uploads")
@role_required(Role.APPLICANT)
@limiter.limit("20 per minute", key_func=_per_user)
def new_check(public_id: str):
    """Issue a try of the identity check: its id, the actions to ask for and their schedule."""
    attempt = load_own_attempt_or_404(public_id)
    check = checks.issue_challenge(get_session(), attempt, current_user)
    return identity_check.challenge_json(
        check,
        max_tries=checks.MAX_TRIES,
        frames_url=url_for("proctoring_api.check_frames", check_id=check.public_id),
    )


def _case_of(session, check) -> tuple[int, ProctorCase]:
    case = session.get(ProctorCase, check.case_id)
    return case.user_id, case


def _reference(session, _check, _case, user) -> list[float]:
    reference = get_reference(session, user)
    if reference is None:
        raise ProctoringRequired(_("Upload your photo first."))
    return reference.encoding


def _record_decision(session, check, burst, user) -> ProctorCase:
    checks.decide(session, check, burst, user)
    return session.get(ProctorCase, check.case_id)


#: an exam's identity check: the try of the attempt's proctoring case, against the photo the
#: candidate registered
EXAM_CHECK = identity_check.Subject(
    get_check=checks.get_check, owner=_case_of, reference=_reference, decide=_record_decision
)


@bp.post("/checks/<check_id>/frames")
@undocumented("multipart camera frames")
@role_required(Role.APPLICANT)
@limiter.limit("20 per minute", key_func=_per_user)
def check_frames(check_id: str):
    """The burst of an identity check (multipart ``frames`` and ``times``, each frame's ms since
    the first prompt), analysed in the request."""
    check, case = identity_check.decide_burst(EXAM_CHECK, check_id, current_user)
    session = get_session()
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
@undocumented("a multipart camera frame")
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
        identity_check.read_frame(limit=observations.SNAPSHOT_MAX_BYTES),
        trigger=request.form.get("trigger", "interval"),
        owner=current_user,
        client_at=request.form.get("client_at"),
    )
    commit_now()  # the analysis job runs after this (in eager mode: right here, for the answer)
    session.expire_all()
    return _status(session, session.get(Attempt, attempt.id), session.get(ProctorCase, case.id))


@bp.post("/attempts/<public_id>/events")
@operation(
    op_id="recordEvent",
    summary="Record a browser event with its risk weight; suspicious ones warn the candidate.",
    ok=schemas.ProctorStatus,
    errors=("400", "401", "403", "404", "409", "422", "429"),
    body=schemas.BrowserEvent,
)
@role_required(Role.APPLICANT)
@limiter.limit("60 per minute", key_func=_per_user)
def event(public_id: str):
    """A browser event: {"type": "tab_hidden", "client_at": "..."}."""
    session = get_session()
    attempt = load_own_attempt_or_404(public_id)
    event_body = read_body()
    case = _case_or_409(session, attempt)
    observations.record_event(session, case, event_body.type, event_body.client_at)
    return _status(session, attempt, case)


@bp.get("/attempts/<public_id>/status")
@operation(
    op_id="getStatus",
    summary="The attempt's state, risk and newest warning (the exam page polls this).",
    ok=schemas.ProctorStatus,
    errors=("401", "403", "404"),
)
@role_required(Role.APPLICANT)
def status(public_id: str):
    """The attempt's state, risk and newest warning (the exam page polls this)."""
    session = get_session()
    attempt = load_own_attempt_or_404(public_id)
    return _status(session, attempt, checks.get_case(session, attempt))


@bp.get("/openapi.json")
@undocumented("the document itself")
def openapi_document():
    """The OpenAPI 3.1 description of this API's JSON parts (public), generated from the
    routes above."""
    return openapi.API.serve()

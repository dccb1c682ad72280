"""JSON for the renewal identity check page (the proctoring page script, proctor.js, calls it):
the camera preview check, a new try with its head-turn challenge, and the burst of frames; and
whether an online renewal can be started today (``availability``: 503 during a closure).

The responses have the shape of the exam's identity check API, so one script serves both, and
the steps are the exam's own (proctoring/identity_check.py). The decision is the server's alone;
every POST needs the X-CSRFToken header. Each view's ``@operation`` describes it for the OpenAPI
document at ``/api/v1/renewal/openapi.json`` (``openapi.py``)."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ujisim.core.db import get_session
from ujisim.core.errors import ConflictError
from ujisim.core.openapi import operation, undocumented
from ujisim.core.security import Role, limiter, role_required
from ujisim.proctoring import identity_check
from ujisim.proctoring import schemas as proctoring_schemas
from ujisim.renewal import application as apps
from ujisim.renewal import closures, identity, openapi, registry, schemas
from ujisim.renewal.models import AppState, RenewalApplication
from ujisim.renewal.views import load_own_application_or_404

bp = Blueprint("renewal_api", __name__, url_prefix="/api/v1/renewal")


def _per_user() -> str:
    return f"user:{current_user.get_id()}"


@bp.post("/applications/<public_id>/camera-check")
@operation(
    op_id="cameraCheck",
    summary="One preview frame: the first problem the holder can fix, or ok.",
    ok=proctoring_schemas.CameraCheck,
    errors=("400", "401", "403", "404", "422", "429"),
    multipart=openapi.FRAME,
)
@role_required(Role.APPLICANT)
@limiter.limit("90 per minute", key_func=_per_user)
def camera_check(public_id: str):
    """One preview frame -> the first problem the holder can fix, or "ok". Without consent
    (UU 27/2022: biometric data) no frame is looked at."""
    load_own_application_or_404(public_id)
    return identity_check.preview(get_session(), current_user)


@bp.post("/applications/<public_id>/identity-checks")
@operation(
    op_id="newCheck",
    summary="Issue a try (or give the open one again, with a new challenge): its id, the "
    "actions to ask for and their schedule.",
    ok=proctoring_schemas.Challenge,
    errors=("400", "401", "403", "404", "409", "429"),
)
@role_required(Role.APPLICANT)
@limiter.limit("20 per minute", key_func=_per_user)
def new_check(public_id: str):
    """Issue a try: its id, the actions to ask for and their schedule."""
    application = load_own_application_or_404(public_id)
    check = identity.issue_challenge(get_session(), application, current_user)
    return identity_check.challenge_json(
        check,
        max_tries=identity.MAX_TRIES,
        frames_url=url_for("renewal_api.check_frames", check_id=check.public_id),
    )


def _application_of(session, check) -> tuple[int, RenewalApplication]:
    application = session.get(RenewalApplication, check.application_id)
    return application.user_id, application


def _reference(session, _check, application, _user) -> list[float]:
    # the face chosen when the try was issued: the licence photo or the register's
    encoding = identity.reference_encoding(session, application)
    if encoding is None:
        raise ConflictError(_("The photo on your SIM record cannot be compared."))
    return encoding


#: a renewal's identity check: the try of the application, against the licence photo or the
#: population register's photo
RENEWAL_CHECK = identity_check.Subject(
    get_check=identity.get_check,
    owner=_application_of,
    reference=_reference,
    decide=identity.decide,
)


@bp.post("/identity-checks/<check_id>/frames")
@operation(
    op_id="sendFrames",
    summary="The burst of a try, decided in the request against the reference face; the third "
    "failed try sends the application to an officer (`identity: escalated`).",
    ok=schemas.CheckResult,
    errors=("400", "401", "403", "404", "409", "422", "429"),
    multipart=openapi.BURST,
)
@role_required(Role.APPLICANT)
@limiter.limit("20 per minute", key_func=_per_user)
def check_frames(check_id: str):
    """The burst of a try (multipart ``frames``), analysed in the request against the reference
    face, the licence photo or the population register photo (``times``: each frame's ms since
    the first prompt); the result is recorded on the application."""
    check, application = identity_check.decide_burst(RENEWAL_CHECK, check_id, current_user)
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


@bp.get("/availability")
@operation(
    op_id="availability",
    summary="Whether an online renewal can be started today: open, or 503 renewal_paused with "
    "the day it opens again (a published service closure, renewal/closures.py).",
    ok=schemas.Availability,
    errors=("401", "403", "503"),
)
@role_required(Role.APPLICANT)
def availability():
    """Open today, or RenewalPaused (503) naming the reopening day."""
    today = registry.local_today(current_user.timezone or "Asia/Jakarta")
    closures.ensure_online_open(get_session(), today)
    return {"online": "open", "today": today.isoformat()}


@bp.get("/openapi.json")
@undocumented("the document itself")
def openapi_document():
    """The OpenAPI 3.1 description of this API (public, like the other APIs'), generated from
    the routes above."""
    return openapi.API.serve()

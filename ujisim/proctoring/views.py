"""Candidate pages: consent, the Satpas alternative, the reference photo, the camera and identity
check. The pages lead through the steps in order; ``?attempt=<id>`` carries the exam along."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ujisim.core.db import get_session
from ujisim.core.errors import refusal_page
from ujisim.core.redirects import safe_next
from ujisim.core.security import Role, limiter, role_required
from ujisim.exam.models import AttemptState
from ujisim.exam.views import load_own_attempt_or_404
from ujisim.proctoring import checks, consent, reference

bp = Blueprint("proctoring", __name__, url_prefix="/pengawasan")


def _attempt_arg():
    public_id = request.values.get("attempt", "")
    return load_own_attempt_or_404(public_id) if public_id else None


def _next_arg() -> str | None:
    """``?next=``: a path on this site to return to (the renewal page), never another host."""
    return safe_next(request.values.get("next"))


def next_step(session, attempt) -> str:
    """The URL of the first step the candidate still has to take for ``attempt``."""
    args = {"attempt": attempt.public_id} if attempt else {}
    if consent.current_consent(session, current_user) is None:
        return url_for("proctoring.consent_page", **args)
    if reference.get_reference(session, current_user) is None:
        return url_for("proctoring.photo", **args)
    if attempt is None:
        return url_for("exam.index")
    if attempt.state in (AttemptState.CREATED, AttemptState.PAUSED):
        case = checks.get_case(session, attempt)
        if case is None or case.identity_status not in ("passed", "cleared"):
            return url_for("proctoring.check", public_id=attempt.public_id)
    return url_for("exam.sit", public_id=attempt.public_id)


@bp.get("/persetujuan")
@role_required(Role.APPLICANT)
def consent_page():
    session = get_session()
    attempt = _attempt_arg()
    given = consent.current_consent(session, current_user)
    return render_template(
        "proctoring/consent.html",
        attempt=attempt,
        given=given,
        next=_next_arg(),
        version=consent.CONSENT_VERSION,
        retention_days=current_app.config["PROCTOR_RETENTION_DAYS"],
        interval=current_app.config["PROCTOR_SNAPSHOT_INTERVAL_S"],
    )


@bp.post("/persetujuan")
@role_required(Role.APPLICANT)
def give_consent():
    session = get_session()
    attempt = _attempt_arg()
    back = _next_arg()
    if request.form.get("choice") != "agree":
        return redirect(back or url_for("proctoring.satpas"))
    consent.record_consent(
        session,
        current_user,
        locale=str(get_locale()),
        ip=request.remote_addr,
        user_agent=request.user_agent.string,
    )
    flash(_("Thank you. Your consent has been recorded."), "success")
    return redirect(back or next_step(session, attempt))


@bp.get("/di-satpas")
@role_required(Role.APPLICANT)
def satpas():
    return render_template("proctoring/satpas.html")


@bp.get("/foto")
@role_required(Role.APPLICANT)
def photo():
    session = get_session()
    current = reference.get_reference(session, current_user)
    stored = reference.photo_file(session, current)
    return render_template(
        "proctoring/photo.html",
        attempt=_attempt_arg(),
        reference=current,
        stored=stored,
        max_mb=reference.MAX_BYTES // (1024 * 1024),
    )


@bp.post("/foto")
@role_required(Role.APPLICANT)
@limiter.limit("20 per hour", key_func=lambda: f"user:{current_user.get_id()}")
@refusal_page("proctoring.photo", keep=("attempt",))
def upload_photo():
    session = get_session()
    attempt = _attempt_arg()
    if consent.current_consent(session, current_user) is None:
        # the photo's face encoding is biometric data: nothing is read before consent
        flash(_("Give your consent to webcam proctoring first."), "error")
        args = {"attempt": attempt.public_id} if attempt else {}
        return redirect(url_for("proctoring.consent_page", **args)), 303
    upload = request.files.get("photo")
    data = upload.read(reference.MAX_BYTES + 1) if upload else b""
    # a refused photo (no face, two faces, not an image) is flashed on the photo page
    reference.set_reference_photo(session, current_user, data, "registration")
    flash(_("Your photo has been saved."), "success")
    return redirect(next_step(session, attempt))


@bp.get("/ujian/<public_id>/cek")
@role_required(Role.APPLICANT)
def check(public_id: str):
    """The camera check and the identity check (before the start, or after a pause)."""
    session = get_session()
    attempt = load_own_attempt_or_404(public_id)
    step = next_step(session, attempt)
    if step != request.path:
        return redirect(step)
    case = checks.get_case(session, attempt)
    gate = checks.gate(session, current_user, attempt)
    return render_template(
        "proctoring/check.html",
        attempt=attempt,
        case=case,
        gate=gate,
        max_tries=checks.MAX_TRIES,
    )

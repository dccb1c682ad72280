"""Examiner pages: the review queue (highest risk first, with the analysis queue's length and
age), a case's timeline beside the reference photo, and verdicts."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ujisim.accounts.models import User
from ujisim.core import duties, storage
from ujisim.core.db import get_session
from ujisim.core.errors import refusal_page
from ujisim.core.security import Role, role_required
from ujisim.proctoring import observations, review
from ujisim.proctoring.models import IdentityCheck
from ujisim.proctoring.reference import get_reference, photo_file

bp = duties.staff_pages(
    Blueprint("proctoring_examiner", __name__, url_prefix="/examiner/proctoring")
)


@bp.get("/")
@role_required(Role.EXAMINER)
def queue():
    session = get_session()
    which = request.args.get("show", "open")
    if which not in review.QUEUE_STATES:
        which = "open"
    pending, age = observations.queue_stats(session)
    return render_template(
        "proctoring/examiner_queue.html",
        rows=review.review_queue(session, which),
        which=which,
        pending=pending,
        age=age,
    )


def _load(public_id: str):
    """(case, attempt), unless unknown (404) or the examiner's own case (403, audited)."""
    found = review.get_case_for_attempt(get_session(), public_id)
    if found is None:
        abort(404)
    duties.refuse_own(found[0])
    return found


def _files(session, ids) -> dict[int, storage.StoredFile]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    rows = session.scalars(select(storage.StoredFile).where(storage.StoredFile.id.in_(ids)))
    return {f.id: f for f in rows}


@bp.get("/<public_id>")
@role_required(Role.EXAMINER)
def case(public_id: str):
    session = get_session()
    case, attempt = _load(public_id)
    candidate = session.get(User, case.user_id)
    reference = get_reference(session, candidate)
    timeline = observations.timeline(session, case)
    identity = session.scalars(
        select(IdentityCheck).where(IdentityCheck.case_id == case.id).order_by(IdentityCheck.id)
    ).all()
    files = _files(session, [o.file_id for o in timeline] + [c.file_id for c in identity])
    history = review.verdicts(session, case)
    examiners = {
        u.id: u
        for u in session.scalars(select(User).where(User.id.in_({v.examiner_id for v in history})))
    }
    return render_template(
        "proctoring/examiner_case.html",
        case=case,
        attempt=attempt,
        candidate=candidate,
        reference=reference,
        reference_file=photo_file(session, reference),
        timeline=timeline,
        identity=identity,
        files=files,
        history=history,
        examiners=examiners,
        reasons=review.VOID_REASONS,
        detector=lambda text: json.loads(text) if text else {},
    )


@bp.post("/<public_id>/verdict")
@role_required(Role.EXAMINER)
@refusal_page("proctoring_examiner.case")
def verdict(public_id: str):
    session = get_session()
    case, attempt = _load(public_id)
    review.record_verdict(
        session,
        case,
        current_user,
        request.form.get("verdict", ""),
        request.form.get("reason", ""),
        request.form.get("note", ""),
        expected=request.form.get("expected", type=int),
    )
    flash(_("The verdict has been recorded."), "success")
    return redirect(url_for("proctoring_examiner.case", public_id=public_id))

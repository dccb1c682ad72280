"""Examiner pages: attempts with filters, the full replay of an attempt, regrade and void.

The replay shows each question as the candidate saw it: its picture, and the options in the
order of their paper, lettered so (A, B, ...), with each option's letter in the item as written
(the authoring order, which the item pages and the item analysis use) beside it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from ujisim.accounts.models import User
from ujisim.core import duties
from ujisim.core.db import get_session
from ujisim.core.errors import UjisimError, refusal_page
from ujisim.core.i18n import page_language
from ujisim.core.security import Role, role_required
from ujisim.exam import attempts, classes, clips, grading, policy
from ujisim.exam.errors import StaleForm
from ujisim.exam.models import (
    AnswerStep,
    Attempt,
    AttemptEvent,
    AttemptState,
    Grade,
    PassRecord,
)
from ujisim.question_bank.labels import media_alt

bp = duties.staff_pages(Blueprint("exam_examiner", __name__, url_prefix="/examiner/exams"))
PAGE = 50
#: an option's letter: by its place on the candidate's paper, or in the item as written
LETTERS = "ABCDEFGH"


def load_attempt_or_404(public_id: str) -> Attempt:
    """The attempt, unless it is unknown (404) or the examiner's own (403, audited)."""
    try:
        attempt = attempts.get_attempt(get_session(), public_id)
    except UjisimError:
        abort(404)
    duties.refuse_own(attempt)
    return attempt


@bp.get("/")
@role_required(Role.EXAMINER)
def index():
    session = get_session()
    state = request.args.get("state", "")
    vehicle_class = request.args.get("class", "")
    outcome = request.args.get("outcome", "")
    search = request.args.get("q", "").strip()[:100]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    query = select(Attempt, User).join(User, User.id == Attempt.user_id)
    if state in set(AttemptState):
        query = query.where(Attempt.state == state)
    if vehicle_class in policy.CLASSES:
        query = query.where(Attempt.vehicle_class == vehicle_class)
    if outcome in ("passed", "failed"):
        query = query.where(Attempt.passed.is_(outcome == "passed"))
    if search:
        like = f"%{search.lower()}%"
        # the number printed on a pass certificate is its pass's public id
        certified = select(PassRecord.attempt_id).where(PassRecord.public_id == search)
        query = query.where(
            or_(func.lower(User.full_name).like(like), User.email.like(like), User.nik.like(like),
                Attempt.public_id == search, Attempt.id.in_(certified))
        )  # fmt: skip
    rows = session.execute(
        query.order_by(Attempt.created_at.desc()).limit(PAGE + 1).offset((page - 1) * PAGE)
    ).all()
    return render_template(
        "exam/examiner_list.html",
        rows=rows[:PAGE],
        more=len(rows) > PAGE,
        page=page,
        filters={"state": state, "class": vehicle_class, "outcome": outcome, "q": search},
        states=list(AttemptState),
        classes=policy.CLASSES,
    )


@bp.get("/<public_id>")
@role_required(Role.EXAMINER)
def detail(public_id: str):
    session = get_session()
    attempt = load_attempt_or_404(public_id)
    candidate = session.get(User, attempt.user_id)
    versions = attempts.paper_versions(session, attempt)
    codes = attempts.item_codes(session, attempt)
    answers = attempts.current_answers(session, attempt)
    steps = session.scalars(
        select(AnswerStep).where(AnswerStep.attempt_id == attempt.id).order_by(AnswerStep.id)
    ).all()
    events = session.scalars(
        select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id).order_by(AttemptEvent.id)
    ).all()
    grades = session.scalars(
        select(Grade).where(Grade.attempt_id == attempt.id).order_by(Grade.number)
    ).all()
    actors = {u.id: u for u in session.scalars(select(User).where(
        User.id.in_({e.actor_id for e in events} | {g.actor_id for g in grades}))) }  # fmt: skip
    view = classes.bank_class(attempt.vehicle_class)
    named = "en" if page_language() == "en" else None  # the picture names itself as the page
    questions = []
    for position, (entry, version) in enumerate(zip(attempt.paper, versions, strict=True)):
        # as the candidate saw it: in the language chosen at the start
        text = version.text(attempt.language)
        shown = text.shown(entry["o"])
        questions.append(
            {
                "position": position,
                "code": codes[position],
                "version": version,
                "lang": text.lang,
                "stem": text.stem,
                # in the order the candidate saw them; each knows its authoring index
                "options": [{**text.options[i], "authored": i} for i in entry["o"]],
                "key": next(i for i, o in enumerate(shown) if o.get("key")),
                "answer": answers.get(position),
                # staff see the picture with its name (the candidate's had none)
                "media": version.media_json
                and url_for("bank.media", version_id=version.id, vehicle_class=view, lang=named),
                "media_alt": media_alt(version),
            }
        )
    return render_template(
        "exam/examiner_detail.html",
        attempt=attempt,
        candidate=candidate,
        questions=questions,
        clip_rows=clips.replay(session, attempt),
        steps=steps,
        events=events,
        grades=grades,
        actors=actors,
        started_at=attempt.started_at,
        letters=LETTERS,
    )


@bp.post("/<public_id>/regrade")
@role_required(Role.EXAMINER)
@refusal_page("exam_examiner.detail")
def regrade(public_id: str):
    session = get_session()
    attempt = load_attempt_or_404(public_id)
    # the newest grade number the examiner saw; missing or stale: refused (409), nothing added
    expected = request.form.get("expected", -1, type=int)
    reason = request.form.get("reason", "")
    try:
        grading.regrade(session, attempt, actor=current_user, reason=reason, expected=expected)
    except StaleForm as exc:  # answered with the page as it is now, not a redirect
        session.rollback()
        flash(exc.message, "error")
        return detail(public_id), 409
    flash(_("Regraded with the current keys."), "success")
    return redirect(url_for("exam_examiner.detail", public_id=public_id))


@bp.post("/<public_id>/void")
@role_required(Role.EXAMINER)
@refusal_page("exam_examiner.detail")
def void(public_id: str):
    attempt = load_attempt_or_404(public_id)
    grading.void(get_session(), attempt, actor=current_user, reason=request.form.get("reason", ""))
    flash(_("The exam was voided."), "success")
    return redirect(url_for("exam_examiner.detail", public_id=public_id))

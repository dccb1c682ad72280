"""Candidate pages: choose a class, instructions, the exam page (static JS app), results."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import Field, StringField
from wtforms.validators import ValidationError

from ujisim.core import offices
from ujisim.core import speech as speech_audio
from ujisim.core.db import get_session
from ujisim.core.errors import UjisimError, refusal_page
from ujisim.core.i18n import LANGUAGES, page_language
from ujisim.core.security import Role, limiter, role_required
from ujisim.exam import attempts, classes, clips, policy
from ujisim.exam.models import Attempt, AttemptState, Grade
from ujisim.question_bank.media import render_media, svg_response

#: the classes offered on the start page, as candidates know them
CLASS_NAMES = {
    "A": _l("SIM A (car)"),
    "C": _l("SIM C (motorcycle up to 250 cc)"),
    "C1": _l("SIM C I (motorcycle 250 to 500 cc; needs SIM C held 12 months)"),
    "C2": _l("SIM C II (motorcycle over 500 cc; needs SIM C I held 12 months)"),
}
bp = Blueprint("exam", __name__, url_prefix="/ujian")


def load_own_attempt_or_404(public_id: str, *, lock: bool = False) -> Attempt:
    """The current user's attempt; anybody else's is 404 (never reveal that it exists).
    ``lock``: read fresh and hold its row lock until the commit (attempts.get_attempt)."""
    session = get_session()
    try:
        attempt = attempts.get_attempt(session, public_id, lock=lock)
    except UjisimError:
        abort(404)
    if attempt.user_id != current_user.id:
        abort(404)
    return attempt


def _open_attempt(session) -> Attempt | None:
    return session.scalars(
        attempts.select(Attempt).where(
            Attempt.user_id == current_user.id,
            Attempt.state.in_([AttemptState.CREATED, AttemptState.STARTED, AttemptState.PAUSED]),
        )
    ).first()


@bp.get("/")
@role_required(Role.APPLICANT)
def index():
    session = get_session()
    open_attempt = _open_attempt(session)
    history = session.scalars(
        attempts.select(Attempt)
        .where(Attempt.user_id == current_user.id)
        .order_by(Attempt.created_at.desc())
        .limit(20)
    ).all()
    blueprints = {c: policy.current_blueprint(session, c) for c in policy.CLASSES}
    served = offices.offices()
    # preset: the office of the candidate's last exam, or the only one there is
    last = next((a.satpas for a in history if a.satpas in served), None)
    return render_template(
        "exam/index.html",
        open_attempt=open_attempt,
        history=history,
        blueprints=blueprints,
        class_names=CLASS_NAMES,
        offices=served,
        chosen_satpas=last or (served[0] if len(served) == 1 else ""),
    )


class StartForm(FlaskForm):
    """Start an exam: the class (policy.admit decides whether the candidate may take it), the
    Satpas office it is registered with, the language of the questions, and the candidate's
    confirmation that the identity data shown are theirs."""

    vehicle_class = StringField(filters=[lambda v: v or ""])
    satpas = StringField(filters=[lambda v: (v or "").strip()])
    #: the language of the questions, kept on the attempt (the page offers the pages' language
    #: first; a form without the field, as a page cached before it existed sends, takes it)
    language = StringField(filters=[lambda v: v or page_language()])
    confirm_identity = StringField()

    def validate_language(self, field: Field) -> None:
        if field.data not in LANGUAGES:
            raise ValidationError(_l("Choose the language of the exam questions."))

    def validate_satpas(self, field: Field) -> None:
        if field.data not in offices.offices():
            raise ValidationError(_l("Choose the Satpas office your exam is registered with."))

    def validate_confirm_identity(self, field: Field) -> None:
        if field.data != "yes":
            raise ValidationError(_l("Confirm that the name, NIK and date of birth shown are "
                                     "yours before you start the exam."))  # fmt: skip


def _per_user() -> str:
    # Per account, not per address: a whole Satpas office may share one address.
    return f"user:{current_user.get_id()}"


@bp.post("/mulai")
@role_required(Role.APPLICANT)
@limiter.limit("10 per minute", key_func=_per_user)
@refusal_page("exam.index")
def start():
    session = get_session()
    form = StartForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return redirect(url_for("exam.index")), 303
    vehicle_class, satpas = form.vehicle_class.data, form.satpas.data
    try:
        admission = policy.admit(session, current_user, vehicle_class)
        attempt = attempts.create_attempt(
            session, current_user, admission.blueprint, satpas, admission, form.language.data
        )
    except UjisimError as exc:
        if exc.code != "attempt_open":
            raise  # flashed on the class list (refusal_page)
        session.rollback()
        already = _open_attempt(session)
        if already is None or already.vehicle_class != vehicle_class:
            raise
        # A double click, or a retry after a lost response: go on with the exam it started.
        return redirect(url_for("exam.sit", public_id=already.public_id))
    return redirect(url_for("exam.sit", public_id=attempt.public_id))


@bp.get("/<public_id>")
@role_required(Role.APPLICANT)
def sit(public_id: str):
    attempt = load_own_attempt_or_404(public_id)
    if attempt.state == AttemptState.CREATED:
        return render_template(
            "exam/instructions.html", attempt=attempt, blueprint=attempt.blueprint
        )
    if attempt.state in (AttemptState.STARTED, AttemptState.PAUSED):
        # the clip part comes first: its page until every clip has ended
        template = "exam/sit.html"
        if attempt.clips and clips.next_clip(get_session(), attempt) is not None:
            template = "exam/clips.html"
        return render_template(template, attempt=attempt, language=attempts.exam_language(attempt))
    return redirect(url_for("exam.result", public_id=attempt.public_id))


@bp.post("/<public_id>/begin")
@role_required(Role.APPLICANT)
@refusal_page("exam.sit")
def begin(public_id: str):
    # a refusal (proctoring steps missing) is flashed on the instructions (refusal_page)
    attempt = attempts.begin(get_session(), load_own_attempt_or_404(public_id), current_user)
    return redirect(url_for("exam.sit", public_id=attempt.public_id))


@bp.get("/<public_id>/media/<int:position>.svg")
@role_required(Role.APPLICANT)
def media(public_id: str, position: int):
    """A question's picture by its position in this attempt (no stable item id in the URL)."""
    attempt = load_own_attempt_or_404(public_id)
    if attempt.state not in (
        AttemptState.STARTED,
        AttemptState.PAUSED,
        AttemptState.GRADED,
    ) or not 0 <= position < len(attempt.paper):
        abort(404)
    version = attempts.paper_versions(get_session(), attempt)[position]
    if not version.media:
        abort(404)
    # official: the same drawing without its accessible name (a sign's name is often the key);
    # a scene's captions in the exam's language
    svg = render_media(
        version.media,
        classes.bank_class(attempt.vehicle_class),
        official=True,
        lang=attempt.language,
    )
    return svg_response(svg, "private, max-age=3600")


@bp.get("/<public_id>/suara/<int:position>")
@role_required(Role.APPLICANT)
def speech(public_id: str, position: int):
    """A question's stem and options read aloud by the server (for a browser with no voice for
    the exam's language), by its position in this attempt: the URL names no item, the audio
    speaks what the page shows in the order shown and never which option is the key."""
    session = get_session()
    attempt = load_own_attempt_or_404(public_id)
    if attempt.state not in (AttemptState.STARTED, AttemptState.PAUSED) or not (
        0 <= position < len(attempt.paper)
    ):
        abort(404)
    order = attempt.paper[position]["o"]
    version = attempts.paper_versions(session, attempt)[position]
    words = version.text(attempts.exam_language(attempt))  # in the language it is shown in
    text = speech_audio.spoken_text(words.stem, [o["text"] for o in words.shown(order)])
    stored = speech_audio.audio_for(session, text, words.lang)
    return speech_audio.audio_response(stored, "private, max-age=3600")


@bp.get("/<public_id>/hasil")
@role_required(Role.APPLICANT)
def result(public_id: str):
    session = get_session()
    attempt = load_own_attempt_or_404(public_id)
    if attempt.open:
        return redirect(url_for("exam.sit", public_id=attempt.public_id))
    grade = session.scalars(
        attempts.select(Grade).where(Grade.attempt_id == attempt.id).order_by(Grade.number.desc())
    ).first()
    retake = None
    if attempt.state == AttemptState.GRADED and not attempt.passed:
        retake = policy.retest_info(session, current_user, attempt.vehicle_class)
    return render_template("exam/result.html", attempt=attempt, grade=grade, retake=retake)

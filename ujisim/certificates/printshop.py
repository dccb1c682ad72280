"""The print-shop page (``/cetak``), for shops without an API integration: a logged-in print-shop
user claims jobs, downloads them (one by one, or cards imposed on sheets), marks them printed or
failed, and sends printed or failed jobs back for a reprint. Administrators may use it too."""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from ujisim.certificates import print_queue, printing, renewal_cards
from ujisim.certificates.errors import LeaseExpired
from ujisim.certificates.labels import KIND_LABELS, STATE_LABELS
from ujisim.certificates.models import JobKind, JobState, PrintJob, PrintStation
from ujisim.core import clock
from ujisim.core.db import get_session
from ujisim.core.errors import NotFoundError, UjisimError, refusal_page
from ujisim.core.security import Role, role_required

bp = Blueprint("printshop", __name__, url_prefix="/cetak")
STAFF = (Role.PRINT_SHOP, Role.ADMIN)
REQUIRED = _l("This field is required.")


class ClaimForm(FlaskForm):
    count = IntegerField(
        _l("Number of jobs"),
        default=10,
        validators=[InputRequired(REQUIRED), NumberRange(1, print_queue.MAX_CLAIM)],
    )
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("", _l("Any")),
            SelectChoice("certificate", _l("Certificate")),
            SelectChoice("card", _l("Licence card")),
        ],
        default="",
    )
    #: new with every page: a second submit of the same page (double click, a second tab of
    #: it, a resend after a lost response) claims nothing more (print_queue.claim)
    key = HiddenField(
        default=lambda: secrets.token_urlsafe(16),
        validators=[
            Optional(),
            Regexp(print_queue.CLAIM_KEY, message=_l("Reload the page and claim again.")),
        ],
    )


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[InputRequired(REQUIRED), Length(max=500)])


def _me():
    """The logged-in user itself (services check ``isinstance``, not a proxy)."""
    return current_user._get_current_object()


def load_job_or_404(public_id: str) -> PrintJob:
    try:
        return print_queue.get_job(get_session(), public_id)
    except NotFoundError:
        abort(404)


def _back():
    return redirect(url_for("printshop.index"), code=303)


def _recent(session) -> list[PrintJob]:
    return list(
        session.scalars(
            select(PrintJob)
            .where(PrintJob.state.in_([JobState.PRINTED, JobState.FAILED]))
            .order_by(PrintJob.printed_at.desc().nulls_last(), PrintJob.id.desc())
            .limit(30)
        )
    )


@bp.get("/")
@role_required(*STAFF)
def index(claim_form=None, status=200):
    session = get_session()
    # one moment for both lists: a lease ending between two queries would list its job twice
    now = clock.now()
    held = print_queue.query_held(session, _me(), now=now)
    stations = {s.id: s.name for s in session.scalars(select(PrintStation))}
    page = render_template(
        "certificates/printshop.html",
        held=held,
        serials={job.id: renewal_cards.serial_of(session, job) for job in held},
        ready=print_queue.query_ready(session, limit=20, now=now),
        recent=_recent(session),
        stations=stations,
        claim_form=claim_form or ClaimForm(),
        reason_form=ReasonForm(),
        card_parts=card_parts(sum(j.kind == JobKind.CARD for j in held)),
        kinds=KIND_LABELS,
        states=STATE_LABELS,
        effective_state=print_queue.effective_state,
    )
    return page, status


@bp.post("/claim")
@role_required(*STAFF)
def claim():
    form = ClaimForm()
    if not form.validate_on_submit():
        return index(claim_form=form, status=422)
    session = get_session()
    kind = JobKind(form.kind.data) if form.kind.data else None
    jobs = print_queue.claim(
        session, _me(), form.count.data, kind=kind, actor=_me(), key=form.key.data or None
    )
    if jobs:
        flash(_("You claimed %(n)s jobs.", n=len(jobs)), "success")
    else:
        flash(_("No jobs are waiting to be printed."), "info")
    return _back()


def _pdf(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/jobs/<public_id>/document.pdf")
@role_required(*STAFF)
def document(public_id: str):
    session = get_session()
    job = load_job_or_404(public_id)
    try:
        print_queue.require_live_lease(job, _me())
        data = printing.document_pdf(session, job)
    except LeaseExpired as exc:  # the list, current, with the refusal and its status
        return _lease_expired(exc)
    except UjisimError as exc:  # a link followed (GET): shown on the list, not an error page
        flash(exc.message, "error")
        return _back()
    return _pdf(data, printing.filename(job))


def _lease_expired(exc: LeaseExpired):
    flash(exc.message, "error")
    return index(status=exc.status)


def card_parts(count: int) -> list[tuple[int, int, int]]:
    """(part, first, last) of the held cards, ``MAX_BATCH`` to a file, counted from 1."""
    size = printing.MAX_BATCH
    return [(n // size + 1, n + 1, min(n + size, count)) for n in range(0, count, size)]


@bp.get("/cards.pdf")
@role_required(*STAFF)
def cards():
    """The card jobs the user holds, imposed on A4 sheets: ``MAX_BATCH`` to a file, ``?part=2``
    for the next ones (the page links every part, so none is left out)."""
    session = get_session()
    jobs = [j for j in print_queue.query_held(session, _me()) if j.kind == JobKind.CARD]
    if not jobs:
        if _expired_cards(session):
            return _lease_expired(
                LeaseExpired(
                    _(
                        "Your leases on these cards have expired, so they may be printed "
                        "elsewhere. Claim them again before you download or print them."
                    )
                )
            )
        flash(_("You hold no card jobs."), "info")
        return _back()
    parts = card_parts(len(jobs))
    part = request.args.get("part", "1")
    if not part.isdigit() or not 1 <= int(part) <= len(parts):
        flash(_("That part of the card file no longer exists; the list below is current."), "error")
        return _back()
    _part, first, last = parts[int(part) - 1]
    return _pdf(
        printing.batch_pdf(session, jobs[first - 1 : last]),
        f"cards-{first}-{last}-of-{len(jobs)}.pdf",
    )


def _expired_cards(session) -> bool:
    """Whether the user still holds card jobs whose leases have passed (nobody took them yet)."""
    now = clock.now()
    return (
        session.scalars(
            select(PrintJob.id).where(
                PrintJob.kind == JobKind.CARD,
                PrintJob.state == JobState.CLAIMED,
                PrintJob.user_id == _me().id,
                PrintJob.lease_expires_at <= now,
            )
        ).first()
        is not None
    )


@bp.post("/jobs/<public_id>/printed")
@role_required(*STAFF)
@refusal_page("printshop.index")
def printed(public_id: str):
    # a refusal (someone else holds the job, a wrong state) is flashed on the list, unchanged
    print_queue.mark_printed(get_session(), load_job_or_404(public_id), _me(), actor=_me())
    flash(_("Marked as printed."), "success")
    return _back()


@bp.post("/jobs/<public_id>/release")
@role_required(*STAFF)
@refusal_page("printshop.index")
def release(public_id: str):
    print_queue.release(get_session(), load_job_or_404(public_id), _me(), actor=_me())
    flash(_("The job is back in the queue."), "success")
    return _back()


def _reason_or_back():
    form = ReasonForm()
    if form.validate_on_submit():
        return form.reason.data, None
    flash(_("Give a reason (at most 500 characters)."), "error")
    return None, _back()


@bp.post("/jobs/<public_id>/failed")
@role_required(*STAFF)
@refusal_page("printshop.index")
def failed(public_id: str):
    job = load_job_or_404(public_id)
    reason, refused = _reason_or_back()
    if refused:
        return refused
    print_queue.mark_failed(get_session(), job, _me(), reason, actor=_me())
    flash(_("Marked as failed."), "success")
    return _back()


@bp.post("/jobs/<public_id>/reprint")
@role_required(*STAFF)
@refusal_page("printshop.index")
def reprint(public_id: str):
    job = load_job_or_404(public_id)
    reason, refused = _reason_or_back()
    if refused:
        return refused
    print_queue.reprint(get_session(), job, _me(), reason)
    flash(_("The job is back in the queue for a reprint."), "success")
    return _back()

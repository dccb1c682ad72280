"""Applicant pages under /perpanjangan: start, documents, identity check, delivery, payment
(with the sandbox page), tracking and confirmation of receipt."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ujisim.core import offices
from ujisim.core.db import get_session
from ujisim.core.errors import UjisimError, ValidationError, refusal_page, wants_json
from ujisim.core.security import Role, limiter, role_required
from ujisim.proctoring import checks
from ujisim.proctoring.consent import current_consent
from ujisim.renewal import application as apps
from ujisim.renewal import (
    closures,
    delivery,
    delivery_options,
    documents,
    eligibility,
    health,
    identity,
    payments,
    pickup,
    providers,
    refunds,
    registry,
    survey,
    tracking,
    verification,
)
from ujisim.renewal.forms import (
    DeliveryForm,
    DocumentsForm,
    StartForm,
    iso_date,
)
from ujisim.renewal.models import (
    AppEvent,
    AppState,
    DeliveryEvent,
    Licence,
    OrderState,
    RenewalApplication,
)

bp = Blueprint("renewal", __name__, url_prefix="/perpanjangan")
#: why a camera identity check can fail (proctoring.faces): each gets its advice on the page
IDENTITY_REASONS = checks.FAILURE_REASONS
STEP_PAGES = {
    AppState.DOCUMENTS: "renewal/documents.html",
    AppState.IDENTITY: "renewal/identity.html",
    AppState.IDENTITY_REVIEW: "renewal/identity.html",
    AppState.DELIVERY: "renewal/delivery.html",
    AppState.PAYMENT: "renewal/payment.html",
}


def load_own_application_or_404(public_id: str) -> RenewalApplication:
    """The current user's application; anybody else's is 404 (never reveal that it exists)."""
    try:
        application = apps.get_application(get_session(), public_id)
    except UjisimError:
        abort(404)
    if application.user_id != current_user.id:
        abort(404)
    return application


def _zone() -> str:
    return current_user.timezone or "Asia/Jakarta"


def _per_user() -> str:
    return f"user:{current_user.get_id()}"


def _index_page(errors: dict, values: dict):
    rows = (
        get_session()
        .execute(
            select(RenewalApplication, Licence)
            .join(Licence, Licence.id == RenewalApplication.licence_id)
            .where(RenewalApplication.user_id == current_user.id)
            .order_by(RenewalApplication.created_at.desc())
            .limit(20)
        )
        .all()
    )
    session = get_session()
    closure = closures.current_closure(session, registry.local_today(_zone()))
    return render_template(
        "renewal/index.html",
        closure=closures.closure_notice(closure) if closure else None,
        rows=rows,
        errors=errors,
        values=values,
        tracking=tracking,
        window=eligibility.WINDOW_DAYS,
    )


@bp.get("/")
@role_required(Role.APPLICANT)
def index():
    return _index_page({}, {})


@bp.post("/mulai")
@role_required(Role.APPLICANT)
@limiter.limit("20 per minute", key_func=_per_user)
def start():
    session = get_session()
    form = StartForm()
    values = form.values()
    if not form.validate_on_submit():
        message = next(iter(form.field_errors().values()))
        return _index_page({"start": message, "code": ValidationError.code}, values), 422
    try:
        application = apps.start_application(
            session, current_user, form.number.data, form.nik.data, form.born
        )
    except UjisimError as exc:
        if wants_json():
            raise  # the error shape, e.g. 503 renewal_paused with its reopening date
        session.rollback()
        if exc.code == "open_renewal":
            licence = registry.get_current_licence(session, form.number.data)
            mine = licence and eligibility.get_open_application(session, licence)
            if mine and mine.user_id == current_user.id:
                # a double click or a second tab: carry on with the renewal already open
                flash(exc.message, "info")
                return redirect(url_for("renewal.show", public_id=mine.public_id), 303)
        return _index_page({"start": exc.message, "code": exc.code}, values), exc.status
    licence = session.get(Licence, application.licence_id)
    window = eligibility.grace_window_of(session, licence, current_user)
    if window is not None:
        flash(closures.grace_message(window), "info")
    return redirect(url_for("renewal.show", public_id=application.public_id), 303)


def _step_context(session, application: RenewalApplication) -> dict:
    licence = session.get(Licence, application.licence_id)
    context = {
        "application": application,
        "licence": licence,
        "errors": {},
        "faults": {},
        "values": {},
    }
    if application.state in (AppState.IDENTITY, AppState.IDENTITY_REVIEW):
        evidence = application.evidence
        context["last"] = evidence[-1] if evidence else None
        context["advice"] = apps.identity_advice(evidence[-1].get("reason")) if evidence else ""
        context["tries_left"] = apps.MAX_IDENTITY_TRIES - application.identity_failures
        context["max_tries"] = apps.MAX_IDENTITY_TRIES
        context["consent"] = current_consent(session, current_user) is not None
        # the face chosen when the documents came in: the licence photo or the register's
        context["comparable"] = identity.reference_encoding(session, application) is not None
        context["reason_advice"] = {
            f"reason_{reason}": apps.identity_advice(reason) for reason in IDENTITY_REASONS
        }
    if application.state == AppState.DELIVERY:
        context["provinces"] = delivery_options.provinces()
        context["rates"] = delivery_options.shipping_rates()
        context["offices"] = offices.offices()
        context["banks"] = delivery_options.REFUND_BANKS
        # preset: the office that issued the card so far (when served here), the holder's name
        context["values"] = {
            "satpas": licence.satpas if licence.satpas in offices.offices() else "",
            "refund_holder": licence.holder_name,
        }
    if application.state == AppState.DOCUMENTS:
        context["health_provider"] = health.provider()
    if application.state == AppState.DELIVERY:
        context["insurance_fee"] = payments.insurance_fee()
        context["lines"] = payments.fee_lines(application, licence)
        context["pnbp"] = payments.PNBP.get(licence.licence_class, 0)
        context["service_fee"] = int(current_app.config.get("RENEWAL_SERVICE_FEE", 5000))
    if application.state == AppState.PAYMENT:
        context["payment"] = payments.current_payment(session, application)
        context["lines"] = payments.fee_lines(application, licence)
        context["provider"] = providers.payment_provider()
        context["survey"] = survey.get_response(session, application)
        context["elements"] = survey.ELEMENTS
        context["scale"] = survey.SCALE
    return context


@bp.get("/<public_id>")
@role_required(Role.APPLICANT)
def show(public_id: str):
    session = get_session()
    application = load_own_application_or_404(public_id)
    template = STEP_PAGES.get(AppState(application.state))
    if template is None:
        return redirect(url_for("renewal.track", public_id=application.public_id))
    return render_template(template, **_step_context(session, application))


def _refused(session, application, exc: UjisimError, values: dict):
    """The step's page again with the refusal beside its fields; a conflict (409: a stale form,
    a step already taken) is flashed on the page as it is now instead (refusal_page)."""
    if exc.status == 409:
        raise exc
    session.rollback()
    context = _step_context(session, application)
    context.update(
        errors=exc.fields or {"form": exc.message},
        faults=getattr(exc, "faults", {}),
        values=values,
    )
    return render_template(STEP_PAGES[AppState(application.state)], **context), exc.status


@bp.post("/<public_id>/dokumen")
@role_required(Role.APPLICANT)
@limiter.limit("20 per minute", key_func=_per_user)
@refusal_page("renewal.show")
def submit_documents(public_id: str):
    session = get_session()
    application = load_own_application_or_404(public_id)
    form = DocumentsForm()
    form.validate_on_submit()  # CSRF; the documents service checks every field
    values = form.values()
    values.pop("version", None)
    try:
        documents.submit_documents(
            session,
            application,
            photo=form.upload("photo"),
            signature=form.upload("signature"),
            health_number=form.health_number.data,
            health_date=iso_date(form.health_date.data),
            psych_number=form.psych_number.data,
            psych_date=iso_date(form.psych_date.data),
            actor=current_user,
            version=form.version.data or None,
        )
    except UjisimError as exc:
        return _refused(session, application, exc, values)
    return redirect(url_for("renewal.show", public_id=application.public_id), 303)


@bp.post("/<public_id>/identitas/petugas")
@role_required(Role.APPLICANT)
@refusal_page("renewal.show")
def ask_officer(public_id: str):
    """No photo to compare a camera with (licence or population register): an officer checks
    the identity in person."""
    session = get_session()
    application = load_own_application_or_404(public_id)
    identity.ask_officer(session, application, current_user, request.form.get("version"))
    return redirect(url_for("renewal.show", public_id=application.public_id), 303)


@bp.post("/<public_id>/pengiriman")
@role_required(Role.APPLICANT)
@refusal_page("renewal.show")
def choose_delivery(public_id: str):
    session = get_session()
    application = load_own_application_or_404(public_id)
    form = DeliveryForm()
    version = form.version.data or None
    try:
        if not form.validate_on_submit():
            # a page no longer at this step is refused (409, flashed) whatever the fields
            delivery_options.check_can_choose(application, version)
            context = _step_context(session, application)
            context.update(errors=form.field_errors(), values=form.values())
            return render_template(STEP_PAGES[AppState.DELIVERY], **context), 422
        delivery_options.choose_delivery(session, application, form.choice(), current_user, version)
    except UjisimError as exc:
        return _refused(session, application, exc, form.values())
    return redirect(url_for("renewal.show", public_id=application.public_id), 303)


@bp.post("/<public_id>/batal")
@role_required(Role.APPLICANT)
@refusal_page("renewal.show")
def cancel(public_id: str):
    session = get_session()
    application = load_own_application_or_404(public_id)
    apps.cancel(
        session,
        apps.lock_application(session, application),
        current_user,
        request.form.get("version"),
    )
    flash(_("The renewal was cancelled. You may start again while your SIM is valid."), "info")
    return redirect(url_for("renewal.index"), 303)


def _timeline(session, application: RenewalApplication, order) -> list[dict]:
    """Application and delivery events together, oldest first."""
    events = [
        {"at": e.at, "label": tracking.STATE_LABELS[e.to_state], "note": ""}
        for e in session.scalars(
            select(AppEvent).where(AppEvent.application_id == application.id).order_by(AppEvent.id)
        )
    ]
    if order is not None:
        events += [
            {
                "at": e.at,
                "label": tracking.ORDER_LABELS[e.to_state],
                "note": e.note if e.to_state == "handed_to_courier" else "",
            }
            for e in session.scalars(
                select(DeliveryEvent)
                .where(DeliveryEvent.order_id == order.id)
                .order_by(DeliveryEvent.id)
            )
        ]
    return sorted(events, key=lambda e: e["at"])


@bp.get("/<public_id>/lacak")
@role_required(Role.APPLICANT)
def track(public_id: str, errors: dict | None = None, values: dict | None = None):
    session = get_session()
    application = load_own_application_or_404(public_id)
    order = delivery.get_order(session, application)
    step = tracking.step_of(application.state, order.state if order else None)
    return render_template(
        "renewal/track.html",
        application=application,
        licence=session.get(Licence, application.licence_id),
        new_licence=session.get(Licence, application.new_licence_id)
        if application.new_licence_id
        else None,
        order=order,
        steps=tracking.STEPS,
        step=step,
        step_index=[s for s, _label in tracking.STEPS].index(step) if step else -1,
        off_track=tracking.OFF_TRACK.get(application.state),
        position=verification.queue_position(session, application),
        refund=refunds.get_refund(session, application),
        refund_labels=tracking.REFUND_LABELS,
        banks=delivery_options.REFUND_BANKS,
        reasons=verification.REJECT_REASONS,
        timeline=_timeline(session, application, order),
        order_labels=tracking.ORDER_LABELS,
        can_confirm=application.state == AppState.APPROVED
        and order is not None
        and order.state in delivery.RECEIVED,
        courier_link=tracking.tracking_link(order),
        pickup_message=tracking.pickup_instructions(application)
        if order is not None and order.state == OrderState.READY_FOR_PICKUP
        else "",
        can_name_proxy=application.delivery_method == "pickup"
        and application.state in pickup.PROXY_STATES
        and (order is None or order.state != OrderState.PICKED_UP),
        errors=errors or {},
        values=values or {},
    )


@bp.post("/<public_id>/terima")
@role_required(Role.APPLICANT)
@refusal_page("renewal.track")
def confirm_receipt(public_id: str):
    session = get_session()
    application = load_own_application_or_404(public_id)
    delivery.confirm_receipt(
        session,
        application,
        request.form.get("rating"),
        request.form.get("comment", ""),
        current_user,
        request.form.get("version"),
    )
    flash(_("Thank you! Your renewal is complete."), "success")
    return redirect(url_for("renewal.track", public_id=application.public_id), 303)

"""Examiner (Satpas officer) pages under /examiner/renewals: the verification queue, one
application with documents and evidence, approve / reject / clear identity, and the delivery
desk (pack, make and print the label, hand to courier, counter pick-up by the holder or their
proxy, the sandbox courier)."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ujisim.accounts.models import User
from ujisim.core import duties
from ujisim.core.db import get_db, get_session
from ujisim.core.errors import UjisimError, refusal_page, set_refusal_page
from ujisim.core.security import Role, role_required
from ujisim.core.storage import StoredFile
from ujisim.renewal import application as apps
from ujisim.renewal import (
    delivery,
    documents,
    payments,
    pickup,
    providers,
    refunds,
    signals,
    tracking,
    verification,
)
from ujisim.renewal.errors import InvalidDocument
from ujisim.renewal.models import DeliveryOrder, Licence, OrderState, RenewalApplication

bp = duties.staff_pages(Blueprint("renewal_officer", __name__, url_prefix="/examiner/renewals"))
#: what the delivery desk can do with an order in each state (courier moves come by webhook)
DESK_ACTIONS = {
    (OrderState.PRINTED, "courier"): [OrderState.PACKED],
    (OrderState.PRINTED, "pickup"): [OrderState.READY_FOR_PICKUP],
    (OrderState.RETURNED, "courier"): [OrderState.READY_FOR_PICKUP],
}


def load_application_or_404(public_id: str) -> RenewalApplication:
    """The application, unless unknown (404) or the officer's own (403, audited)."""
    try:
        application = apps.get_application(get_session(), public_id)
    except UjisimError:
        abort(404)
    duties.refuse_own(application)
    return application


def load_order_or_404(public_id: str) -> DeliveryOrder:
    """The delivery order, unless unknown (404) or of the officer's own card (403, audited)."""
    order = (
        get_session()
        .scalars(select(DeliveryOrder).where(DeliveryOrder.public_id == public_id[:40]))
        .first()
    )
    if order is None:
        abort(404)
    duties.refuse_own(order)
    return order


@bp.get("/")
@role_required(Role.EXAMINER)
def queue():
    session = get_session()
    waiting = verification.query_queue(session)
    licences = {a.id: session.get(Licence, a.licence_id) for a in waiting}
    orders = session.scalars(
        select(DeliveryOrder)
        .where(DeliveryOrder.state.not_in([OrderState.DELIVERED, OrderState.PICKED_UP]))
        .order_by(DeliveryOrder.updated_at)
        .limit(200)
    ).all()
    order_licences = {o.id: session.get(Licence, o.licence_id) for o in orders}
    order_apps = {o.id: session.get(RenewalApplication, o.application_id) for o in orders}
    return render_template(
        "renewal/officer_queue.html",
        waiting=waiting,
        licences=licences,
        orders=orders,
        order_licences=order_licences,
        order_apps=order_apps,
        order_labels=tracking.ORDER_LABELS,
        state_labels=tracking.STATE_LABELS,
    )


@bp.get("/<public_id>")
@role_required(Role.EXAMINER)
def detail(public_id: str):
    session = get_session()
    application = load_application_or_404(public_id)
    licence = session.get(Licence, application.licence_id)
    docs = documents.get_documents(session, application)
    files = {kind: session.get(StoredFile, doc.file_id) for kind, doc in docs.items()}
    licence_photo = (
        session.get(StoredFile, licence.photo_file_id) if licence.photo_file_id else None
    )
    # the frame kept from each identity try, shown beside its distance (until retention)
    frame_ids = {i for e in application.evidence for i in e.get("frame_file_ids", [])}
    frames = {i: session.get(StoredFile, i) for i in frame_ids}
    return render_template(
        "renewal/officer_detail.html",
        application=application,
        licence=licence,
        holder=session.get(User, application.user_id),
        docs=docs,
        files=files,
        licence_photo=licence_photo,
        frames={i: f for i, f in frames.items() if f is not None},
        payment=payments.current_payment(session, application),
        refund=refunds.get_refund(session, application),
        order=delivery.get_order(session, application),
        reasons=verification.REJECT_REASONS,
        identity_source=verification.identity_source(application),
        state_labels=tracking.STATE_LABELS,
        order_labels=tracking.ORDER_LABELS,
        refund_labels=tracking.REFUND_LABELS,
        payment_labels=tracking.PAYMENT_LABELS,
        desk_actions=DESK_ACTIONS,
        sandbox_courier=providers.courier().sandbox,
    )


def _done(public_id: str, message: str):
    flash(message, "success")
    return redirect(url_for("renewal_officer.detail", public_id=public_id), 303)


@bp.post("/<public_id>/approve")
@role_required(Role.EXAMINER)
@refusal_page("renewal_officer.detail")
def approve(public_id: str):
    application = load_application_or_404(public_id)
    verification.approve(get_session(), application, current_user, request.form.get("version"))
    return _done(
        public_id, _("Approved: the new licence is issued and the card is queued for printing.")
    )


@bp.post("/<public_id>/reject")
@role_required(Role.EXAMINER)
@refusal_page("renewal_officer.detail")
def reject(public_id: str):
    application = load_application_or_404(public_id)
    form = request.form
    verification.reject(
        get_session(),
        application,
        current_user,
        form.get("reason", ""),
        form.get("note", ""),
        form.get("version"),
    )
    return _done(
        public_id,
        _("Rejected. The holder was told the reason; a refund is recorded if they had paid."),
    )


@bp.post("/<public_id>/identity")
@role_required(Role.EXAMINER)
@refusal_page("renewal_officer.detail")
def clear_identity(public_id: str):
    application = load_application_or_404(public_id)
    verification.clear_identity(
        get_session(),
        application,
        current_user,
        request.form.get("version"),
        in_person=request.form.get("in_person") == "yes",
    )
    return _done(public_id, _("Identity confirmed: the holder can choose the delivery and pay."))


def _back_to_application(order: DeliveryOrder):
    """The application's page: where a desk action goes back to, refused (flashed) or done."""
    application = get_session().get(RenewalApplication, order.application_id)
    url = url_for("renewal_officer.detail", public_id=application.public_id)
    set_refusal_page(url)
    return redirect(url, 303)


@bp.post("/orders/<public_id>/advance")
@role_required(Role.EXAMINER)
def advance_order(public_id: str):
    order = load_order_or_404(public_id)
    back = _back_to_application(order)
    target = request.form.get("to", "")
    version = request.form.get("version")
    allowed = DESK_ACTIONS.get((order.state, order.method), [])
    session = get_session()
    if target == OrderState.LABELLED:
        delivery.make_label(session, order, current_user, version)
    elif target == OrderState.HANDED_TO_COURIER:
        delivery.hand_to_courier(session, order, current_user, version)
    elif target in allowed:
        locked = delivery.lock_order(session, order)
        delivery.advance_order(
            session,
            locked,
            OrderState(target),
            source="officer",
            actor=current_user,
            version=version,
        )
    else:
        raise delivery.IllegalTransition(_("That step is not possible for this order now."))
    return back


@bp.get("/orders/<public_id>/label.pdf")
@role_required(Role.EXAMINER)
def label(public_id: str):
    """The A6 shipping label (address, Code128 tracking barcode) to stick on the parcel; the
    first opening counts as printed (the card may be handed to the courier from then on)."""
    order = load_order_or_404(public_id)
    data = delivery.label_of(get_session(), order)
    if data is None:
        abort(404)
    delivery.record_label_printed(get_session(), order, current_user)
    response = Response(signals.answer(signals.label_wanted.send(data)), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="label-{data.tracking_number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/orders/<public_id>/pickup")
@role_required(Role.EXAMINER)
def hand_over(public_id: str):
    order = load_order_or_404(public_id)
    back = _back_to_application(order)
    nik, version = request.form.get("nik", ""), request.form.get("version")
    seen = request.form.get("power_of_attorney") == "seen"
    try:
        pickup.hand_over_at_counter(get_session(), order, current_user, nik, seen, version)
    except InvalidDocument as exc:
        if exc.fields.get("nik") == "mismatch":
            _audit_refused_pickup(order, nik)
        raise
    return back


def _audit_refused_pickup(order: DeliveryOrder, nik: str) -> None:
    """A stranger's NIK at the counter is on record: the request's unit of work rolls back on
    the refusal, so the record is committed on a write session of its own."""
    public_id = order.public_id
    actor = SimpleNamespace(id=current_user.id, email=current_user.email)  # before the rollback
    get_session().rollback()
    writer = get_db().session(write=True)
    try:
        pickup.audit_refused_pickup(writer, public_id, actor, nik)
        writer.commit()
    finally:
        writer.close()


@bp.post("/orders/<public_id>/courier-sandbox")
@role_required(Role.EXAMINER)
def courier_sandbox(public_id: str):
    """SANDBOX courier: send the status webhook the courier would send."""
    order = load_order_or_404(public_id)
    if not providers.courier().sandbox or order.courier != "sandbox":
        abort(404)
    back = _back_to_application(order)
    result = delivery.sandbox_courier_status(get_session(), order, request.form.get("status", ""))
    if result.status != 200:
        raise delivery.IllegalTransition(
            _("SANDBOX courier: the status was refused (%(why)s).", why=result.outcome)
        )
    return back

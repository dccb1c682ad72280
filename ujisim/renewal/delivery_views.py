"""Applicant pages of the delivery under /perpanjangan (on the renewal blueprint): naming the
proxy who picks the card up, and the SANDBOX courier's public tracking page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ujisim.core.db import get_session
from ujisim.core.errors import refusal_page
from ujisim.core.security import Role, role_required
from ujisim.renewal import pickup, providers, tracking
from ujisim.renewal.errors import InvalidDocument
from ujisim.renewal.models import DeliveryEvent, DeliveryOrder, OrderState, RenewalApplication
from ujisim.renewal.views import bp, load_own_application_or_404, track


@bp.post("/<public_id>/kuasa")
@role_required(Role.APPLICANT)
@refusal_page("renewal.track")
def name_proxy(public_id: str):
    """The holder names (or withdraws) the person who may pick the card up for them."""
    session = get_session()
    application = load_own_application_or_404(public_id)
    name, nik = request.form.get("proxy_name", ""), request.form.get("proxy_nik", "")
    try:
        pickup.name_proxy(
            session, application, name, nik, current_user, request.form.get("version")
        )
    except InvalidDocument as exc:
        session.rollback()
        values = {"proxy_name": name[:120], "proxy_nik": nik[:20]}
        return track(public_id, errors=exc.fields, values=values), exc.status
    if application.proxy_nik:
        flash(
            _(
                "%(name)s may pick up your card with a power of attorney (surat kuasa).",
                name=application.proxy_name,
            ),
            "success",
        )
    else:
        flash(_("Only you can pick up the card."), "success")
    return redirect(url_for("renewal.track", public_id=application.public_id), 303)


@bp.get("/sandbox/kurir/<tracking_number>")
def sandbox_courier_track(tracking_number: str):
    """SANDBOX courier's public tracking page (what a courier's site shows for a tracking
    number: the shipment's moves, the destination city, no names); 404 with a real courier."""
    session = get_session()
    order = session.scalars(
        select(DeliveryOrder).where(
            DeliveryOrder.tracking_number == tracking_number[:40],
            DeliveryOrder.courier == "sandbox",
        )
    ).first()
    if order is None or not providers.courier().sandbox:
        abort(404)
    events = session.scalars(
        select(DeliveryEvent)
        .where(
            DeliveryEvent.order_id == order.id, DeliveryEvent.id >= _booking_event(session, order)
        )
        .order_by(DeliveryEvent.id)
    ).all()
    application = session.get(RenewalApplication, order.application_id)
    return render_template(
        "renewal/sandbox_courier.html",
        order=order,
        city=application.address.get("city", ""),
        events=events,
        order_labels=tracking.ORDER_LABELS,
    )


def _booking_event(session, order: DeliveryOrder) -> int:
    """The id of the event that booked the current shipment (its label): the courier's page
    shows nothing from before, nor a previous shipment's moves."""
    return (
        session.scalar(
            select(func.max(DeliveryEvent.id)).where(
                DeliveryEvent.order_id == order.id, DeliveryEvent.to_state == OrderState.LABELLED
            )
        )
        or 0
    )

"""E-mails to the holder at every status change, through the outbox (sent after commit)."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.accounts.models import User
from ujisim.core.mail import queue_mail
from ujisim.core.urls import public_url
from ujisim.renewal import tracking
from ujisim.renewal.models import DeliveryOrder, Licence, OrderState, RenewalApplication


def tracking_url(application: RenewalApplication) -> str:
    """The absolute URL of the tracking page, at the public address (core/urls.py)."""
    return public_url("renewal.track", public_id=application.public_id)


def _delivery_lines(application: RenewalApplication, order: DeliveryOrder | None) -> list[str]:
    """What the holder needs for the order's state: the pick-up message once the card waits at
    the counter, the courier's tracking link while it travels."""
    if order is None or application.state != "approved":
        return []
    if order.state == OrderState.READY_FOR_PICKUP:
        return [tracking.pickup_instructions(application)]
    link = tracking.tracking_link(order)
    if link and order.state != OrderState.LABELLED:
        return [
            _(
                "Follow the parcel (tracking number %(number)s) on the courier's page: %(url)s",
                number=order.tracking_number,
                url=link,
            )
        ]
    return []


def status_changed(session: Session, application: RenewalApplication) -> None:
    """Queue the holder's e-mail describing the application's current status."""
    user = session.get(User, application.user_id)
    licence = session.get(Licence, application.licence_id)
    order = session.scalars(
        select(DeliveryOrder).where(DeliveryOrder.application_id == application.id)
    ).first()
    order_state = order.state if order else None
    url = tracking_url(application)
    with force_locale(user.locale or "id"):
        step = tracking.label_of(application.state, order_state)
        detail = str(tracking.STATE_LABELS[application.state])
        if order is not None and application.state == "approved":
            detail = str(tracking.ORDER_LABELS[order.state])
        subject = _("SIM renewal %(number)s: %(status)s", number=licence.number, status=step)
        body = "\n\n".join(
            [
                _("Hello %(name)s,", name=user.full_name),
                _(
                    "The renewal of your SIM %(cls)s %(number)s has a new status: %(status)s "
                    "(%(detail)s).",
                    cls=licence.licence_class,
                    number=licence.number,
                    status=step,
                    detail=detail,
                ),
                *_delivery_lines(application, order),
                _("Follow every step on the tracking page: %(url)s", url=url),
                "ujisim",
            ]
        )
    queue_mail(session, to=user.email, subject=subject, body=body, kind="renewal_status")

"""E-mails to the holder at every status change and every step of a refund, through the outbox
(sent after commit). A rejection's e-mail says why and what happens next; so does each refund's."""

from __future__ import annotations

import json

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.accounts.models import User
from ujisim.core.i18n import format_rupiah
from ujisim.core.mail import queue_mail
from ujisim.core.urls import public_url
from ujisim.exam import classes
from ujisim.renewal import tracking
from ujisim.renewal.models import (
    AppState,
    DeliveryOrder,
    Licence,
    OrderState,
    Refund,
    RefundStatus,
    RenewalApplication,
)


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
                    cls=classes.label(licence.licence_class),
                    number=licence.number,
                    status=step,
                    detail=detail,
                ),
                *(_rejection(session, application, licence) if step_rejected(application) else []),
                *_delivery_lines(application, order),
                _("Follow every step on the tracking page: %(url)s", url=url),
                "ujisim",
            ]
        )
    queue_mail(session, to=user.email, subject=subject, body=body, kind="renewal_status")


def step_rejected(application: RenewalApplication) -> bool:
    return application.state == AppState.REJECTED


def _account(refund: Refund) -> str:
    account = json.loads(refund.account or "{}")
    return _(
        "%(bank)s account ending %(last)s",
        bank=account.get("bank", "?"),
        last=str(account.get("number", ""))[-4:],
    )


def _rejection(session: Session, application: RenewalApplication, licence: Licence) -> list[str]:
    """Why the officer rejected, and what happens next (the refund, applying again)."""
    reason = tracking.REJECT_REASONS.get(application.reject_reason, application.reject_reason)
    lines = [_("Reason: %(reason)s.", reason=reason)]
    if application.reject_note:
        lines.append(_("The officer's note: %(note)s", note=application.reject_note))
    refund = session.scalars(select(Refund).where(Refund.application_id == application.id)).first()
    if refund is not None:
        lines.append(
            _(
                "What happens next: we pay back %(amount)s (you paid %(paid)s; the bank keeps "
                "its fee of %(fee)s) to your %(account)s. You will get an e-mail when the bank "
                "has paid it.",
                amount=format_rupiah(refund.amount),
                paid=format_rupiah(refund.paid),
                fee=format_rupiah(refund.bank_fee),
                account=_account(refund),
            )
        )
    else:
        lines.append(_("What happens next: nothing was paid, so there is nothing to refund."))
    lines.append(
        _(
            "You may apply again while your SIM is valid (until %(day)s), with the fault "
            "corrected.",
            day=format_date(licence.expires_on, "long"),
        )
    )
    return lines


def refund_changed(session: Session, refund: Refund) -> None:
    """Queue the holder's e-mail about a refund's new state: the reason it is owed, where it
    stands and what happens next. Nothing when it goes back to pending (the holder's own act)."""
    if refund.status == RefundStatus.PENDING:
        return
    application = session.get(RenewalApplication, refund.application_id)
    user = session.get(User, application.user_id)
    licence = session.get(Licence, application.licence_id)
    url = tracking_url(application)
    with force_locale(user.locale or "id"):
        reason = tracking.REJECT_REASONS.get(refund.reason, refund.reason)
        amount = format_rupiah(refund.amount)
        if refund.status == RefundStatus.REQUESTED:
            status = _("sent to the bank")
            what = _(
                "The refund of %(amount)s is on its way to your %(account)s. Banks credit it "
                "within a few working days; you will get an e-mail when the bank confirms it.",
                amount=amount,
                account=_account(refund),
            )
        elif refund.status == RefundStatus.PAID:
            status = _("paid")
            what = _(
                "The bank has paid %(amount)s into your %(account)s. Nothing more needs to be "
                "done.",
                amount=amount,
                account=_account(refund),
            )
        else:
            status = _("not paid")
            what = _(
                "The bank could not pay %(amount)s into your %(account)s (%(why)s). Enter a "
                "correct account on the tracking page; we then ask the bank again.",
                amount=amount,
                account=_account(refund),
                why=refund.failure or _("no reason given"),
            )
        subject = _(
            "SIM renewal %(number)s: refund %(status)s", number=licence.number, status=status
        )
        body = "\n\n".join(
            [
                _("Hello %(name)s,", name=user.full_name),
                _(
                    "Your renewal of SIM %(cls)s %(number)s was rejected (%(reason)s), so what "
                    "you paid is refunded minus the bank fee of %(fee)s.",
                    cls=classes.label(licence.licence_class),
                    number=licence.number,
                    reason=reason,
                    fee=format_rupiah(refund.bank_fee),
                ),
                what,
                _("Follow the refund on the tracking page: %(url)s", url=url),
                "ujisim",
            ]
        )
    queue_mail(session, to=user.email, subject=subject, body=body, kind="renewal_refund")

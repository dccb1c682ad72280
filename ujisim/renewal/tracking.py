"""The statuses holders know (SINAR): internal application and delivery states map onto them;
and what the holder is told beside them (the courier's tracking link, the pick-up message)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ujisim.core import offices
from ujisim.renewal import providers
from ujisim.renewal.models import (
    AppState,
    DeliveryOrder,
    OrderState,
    PaymentStatus,
    RefundStatus,
    RenewalApplication,
)

#: the holder's six steps, in order (Indonesian names in the catalogue are exactly SINAR's)
STEPS = (
    ("registration", _l("Registration in progress")),
    ("paid", _l("Paid")),
    ("processing", _l("Processing")),
    ("issued", _l("Issued and packed")),
    ("shipped", _l("Shipped")),
    ("done", _l("Completed")),
)
#: why an officer rejects (the reasons holders see in SINAR)
REJECT_REASONS = {
    "data_not_found": _l("Data not found"),
    "data_mismatch": _l("Data mismatch"),
    "unclear_documents": _l("Unclear documents"),
    "identity_not_confirmed": _l("Identity not confirmed"),
}
#: a virtual account's state as the officer and the sandbox page show it
PAYMENT_LABELS = {
    PaymentStatus.PENDING: _l("waiting for payment"),
    PaymentStatus.PAID: _l("paid"),
    PaymentStatus.EXPIRED: _l("expired unpaid"),
}
#: a refund's state as the holder and the officer see it
REFUND_LABELS = {
    RefundStatus.PENDING: _l("being sent to the bank"),
    RefundStatus.REQUESTED: _l("sent to the bank, waiting for its confirmation"),
    RefundStatus.PAID: _l("paid into your account"),
    RefundStatus.FAILED: _l("the bank could not pay it"),
}
#: ends that leave the six steps
OFF_TRACK = {
    AppState.REJECTED: _l("Rejected"),
    AppState.EXPIRED: _l("Expired"),
    AppState.CANCELLED: _l("Cancelled"),
}
PRE_PAYMENT = {
    AppState.DOCUMENTS,
    AppState.IDENTITY,
    AppState.IDENTITY_REVIEW,
    AppState.DELIVERY,
    AppState.PAYMENT,
}
ORDER_STEP = {
    OrderState.CREATED: "processing",
    OrderState.PRINTED: "issued",
    OrderState.PACKED: "issued",
    OrderState.LABELLED: "issued",
    OrderState.READY_FOR_PICKUP: "issued",
    OrderState.HANDED_TO_COURIER: "shipped",
    OrderState.IN_TRANSIT: "shipped",
    OrderState.RETURNED: "shipped",
    OrderState.DELIVERED: "shipped",
    OrderState.PICKED_UP: "shipped",
}
ORDER_LABELS = {
    OrderState.CREATED: _l("Waiting for the card to be printed"),
    OrderState.PRINTED: _l("Card printed"),
    OrderState.PACKED: _l("Card packed"),
    OrderState.LABELLED: _l("Shipping label made, waiting for the courier"),
    OrderState.HANDED_TO_COURIER: _l("Handed to the courier"),
    OrderState.IN_TRANSIT: _l("On the way"),
    OrderState.DELIVERED: _l("Delivered"),
    OrderState.RETURNED: _l("Returned to the Satpas (not delivered)"),
    OrderState.READY_FOR_PICKUP: _l("Ready for pick-up at the Satpas"),
    OrderState.PICKED_UP: _l("Picked up"),
}
STATE_LABELS = {
    AppState.DOCUMENTS: _l("Documents and declarations"),
    AppState.IDENTITY: _l("Identity check"),
    AppState.IDENTITY_REVIEW: _l("Identity check by an officer"),
    AppState.DELIVERY: _l("Delivery choice"),
    AppState.PAYMENT: _l("Waiting for payment"),
    AppState.PAID: _l("Paid, waiting for verification"),
    AppState.APPROVED: _l("Approved"),
    AppState.COMPLETED: _l("Completed"),
    AppState.REJECTED: _l("Rejected"),
    AppState.EXPIRED: _l("Expired"),
    AppState.CANCELLED: _l("Cancelled"),
}


def step_of(state: str, order_state: str | None) -> str | None:
    """The holder's step for an application ``state`` and its delivery order's state (None for
    the ends that leave the track)."""
    state = AppState(state)
    if state in OFF_TRACK:
        return None
    if state in PRE_PAYMENT:
        return "registration"
    if state == AppState.PAID:
        return "paid"
    if state == AppState.COMPLETED:
        return "done"
    return ORDER_STEP[OrderState(order_state)] if order_state else "processing"


def label_of(state: str, order_state: str | None) -> str:
    step = step_of(state, order_state)
    if step is None:
        return str(OFF_TRACK[AppState(state)])
    return str(dict(STEPS)[step])


def tracking_link(order: DeliveryOrder | None) -> str | None:
    """The courier's tracking page of a booked shipment (None before the booking)."""
    if order is None or not order.tracking_number or not order.courier:
        return None
    return providers.courier(order.courier).tracking_url(order.tracking_number)


def what_to_bring(application: RenewalApplication) -> list[str]:
    """What the person picking the card up brings to the counter."""
    if application.proxy_nik:
        return [
            _("the KTP of %(name)s (the proxy)", name=application.proxy_name),
            _("a copy of the holder's KTP"),
            _("the power of attorney (surat kuasa) signed by the holder"),
        ]
    return [_("your KTP"), _("your old SIM")]


def pickup_instructions(application: RenewalApplication) -> str:
    """The ready-for-pick-up message: the office, its hours and what to bring."""
    office = offices.office(application.satpas)
    parts = [
        _("Your new card is ready for pick-up at %(office)s.", office=office.name),
    ]
    if office.address:
        parts.append(_("Address: %(address)s.", address=office.address))
    if office.hours:
        parts.append(_("Opening hours: %(hours)s.", hours=office.hours))
    parts.append(_("Bring: %(items)s.", items="; ".join(what_to_bring(application))))
    return " ".join(parts)

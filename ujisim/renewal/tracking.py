"""The statuses holders know (SINAR): internal application and delivery states map onto them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ujisim.renewal.models import AppState, OrderState, RefundStatus

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

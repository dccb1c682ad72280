"""Delivery orders and their state machine, the courier (booking, label, webhook) and the
holder's receipt. The applicant's choice (courier or pick-up, the shipping table) is in
delivery_options.py; the counter pick-up (the holder or their proxy) in pickup.py.

created -> printed -> packed -> labelled -> handed_to_courier -> in_transit -> delivered | returned
returned -> labelled (a new booking and label for the redelivery) | ready_for_pickup
created -> printed -> ready_for_pickup -> picked_up (pick-up orders)

A courier order is labelled when the courier is booked (the tracking number) and its label made;
it is handed over only once an officer has opened the label PDF to print it.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.core import audit, clock, offices, workflow
from ujisim.core.documents import LabelData
from ujisim.core.errors import IllegalTransition
from ujisim.renewal import notify, provider_events, providers
from ujisim.renewal.application import advance, check_version, lock_application
from ujisim.renewal.errors import InvalidDocument, StaleForm
from ujisim.renewal.models import (
    AppState,
    DeliveryEvent,
    DeliveryOrder,
    Licence,
    OrderState,
    RenewalApplication,
)
from ujisim.renewal.provider_events import WebhookResult

#: (from, to) -> verb (audit action ``delivery.<verb>``)
TRANSITIONS: dict[tuple[OrderState, OrderState], str] = {
    (OrderState.CREATED, OrderState.PRINTED): "printed",
    (OrderState.PRINTED, OrderState.PACKED): "packed",
    (OrderState.PACKED, OrderState.LABELLED): "labelled",
    (OrderState.LABELLED, OrderState.HANDED_TO_COURIER): "handed_to_courier",
    (OrderState.HANDED_TO_COURIER, OrderState.IN_TRANSIT): "in_transit",
    (OrderState.IN_TRANSIT, OrderState.DELIVERED): "delivered",
    (OrderState.HANDED_TO_COURIER, OrderState.RETURNED): "returned",
    (OrderState.IN_TRANSIT, OrderState.RETURNED): "returned",
    (OrderState.RETURNED, OrderState.LABELLED): "relabelled",
    (OrderState.RETURNED, OrderState.READY_FOR_PICKUP): "to_pickup",
    (OrderState.PRINTED, OrderState.READY_FOR_PICKUP): "ready_for_pickup",
    (OrderState.READY_FOR_PICKUP, OrderState.PICKED_UP): "picked_up",
}
#: the states only a courier order passes through
COURIER_ONLY = frozenset(
    {
        OrderState.PACKED,
        OrderState.LABELLED,
        OrderState.HANDED_TO_COURIER,
        OrderState.IN_TRANSIT,
        OrderState.DELIVERED,
        OrderState.RETURNED,
    }
)
WORKFLOW = workflow.register(
    workflow.Workflow(
        model=DeliveryOrder,
        field="state",
        states=OrderState,
        transitions=TRANSITIONS,
        object_type="delivery_order",
        audit_prefix="delivery",
        event=DeliveryEvent,
        refusal=lambda a, b: _("This delivery cannot go from %(a)s to %(b)s.", a=a, b=b),
        audit_data=lambda move: {
            "from": move.from_state,
            "to": move.to,
            "source": move.context.get("source", "system"),
        },
        event_fields=lambda move: {
            "source": move.context.get("source", "system"),
            "external_id": move.context.get("external_id"),
        },
        after=[
            lambda session, move: notify.status_changed(
                session, session.get(RenewalApplication, move.obj.application_id)
            )
        ],
    )
)


@WORKFLOW.on()
def _check_method(session: Session, move: workflow.Move) -> None:
    """A pick-up order never goes to a courier; a courier order is never put out for pick-up
    straight from the printer, labelled without a booked courier, nor handed over before its
    label was printed. Then stamp the order and bump its version."""
    order = move.obj
    if order.method == "pickup" and move.to in COURIER_ONLY:
        raise move.workflow.refuse(move.from_state, move.to)
    if (
        order.method == "courier"
        and move.from_state == OrderState.PRINTED
        and move.to == OrderState.READY_FOR_PICKUP
    ):
        raise IllegalTransition(_("This card is sent by courier."))
    if move.to == OrderState.LABELLED and not order.tracking_number:
        raise IllegalTransition(_("Book the courier to make the shipping label first."))
    if move.to == OrderState.HANDED_TO_COURIER and order.label_printed_at is None:
        raise IllegalTransition(
            _("Print the shipping label and stick it on the parcel before the hand-over.")
        )
    order.updated_at = move.at
    order.version += 1


RECEIVED = (OrderState.DELIVERED, OrderState.PICKED_UP)


def get_order(session: Session, application: RenewalApplication) -> DeliveryOrder | None:
    return session.scalars(
        select(DeliveryOrder).where(DeliveryOrder.application_id == application.id)
    ).first()


def create_order(
    session: Session, application: RenewalApplication, licence: Licence, print_job_id, actor=None
) -> DeliveryOrder:
    """The delivery order of an approved application (state created, waiting for the print)."""
    now = clock.now()
    order = DeliveryOrder(
        application_id=application.id,
        licence_id=licence.id,
        method=application.delivery_method or "pickup",
        state=OrderState.CREATED,
        print_job_id=print_job_id,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    session.flush()
    session.add(
        DeliveryEvent(
            order_id=order.id,
            from_state=None,
            to_state=OrderState.CREATED,
            source="system",
            actor_id=getattr(actor, "id", None),
            at=now,
        )
    )
    session.flush()
    return order


def lock_order(session: Session, order: DeliveryOrder) -> DeliveryOrder:
    session.flush()  # expire_all would drop unflushed changes
    session.expire_all()
    return session.scalars(
        select(DeliveryOrder).where(DeliveryOrder.id == order.id).with_for_update()
    ).one()


def advance_order(
    session: Session,
    order: DeliveryOrder,
    to: OrderState,
    *,
    source: str,
    actor=None,
    note: str = "",
    external_id: str | None = None,
    version=None,
) -> DeliveryOrder:
    """Move ``order`` to ``to`` through the workflow engine if its table (and its method)
    allows it; log, audit and e-mail. ``version``: the form's (a stale one is refused)."""
    if version is not None and str(version) != str(order.version):
        raise StaleForm(_("This order changed in the meantime. Reload the page."))
    return workflow.advance(session, order, to, actor, note, source=source, external_id=external_id)


def mark_card_printed(session: Session, print_job) -> DeliveryOrder | None:
    """Hook for the print queue: the card job ``print_job`` was printed, so its delivery order
    moves from created to printed. Idempotent; None when no order waits for that job."""
    order = session.scalars(
        select(DeliveryOrder).where(DeliveryOrder.print_job_id == print_job.id)
    ).first()
    if order is None or order.state != OrderState.CREATED:
        return None
    return advance_order(session, lock_order(session, order), OrderState.PRINTED, source="print")


def label_of(session: Session, order: DeliveryOrder) -> LabelData | None:
    """The A6 shipping label of a courier order once the courier is booked (None before, and
    for pick-up): the holder's delivery address, the tracking number, and the issuing Satpas
    office as the sender with its return address and telephone."""
    if order.method != "courier" or not order.tracking_number:
        return None
    application = session.get(RenewalApplication, order.application_id)
    licence = session.get(Licence, order.licence_id)
    address = application.address
    office = offices.office(application.satpas or licence.satpas)
    return LabelData(
        recipient=licence.holder_name,
        street=address["street"],
        village=address["village"],
        district=address["district"],
        city=address["city"],
        province=address["province"],
        postal_code=address["postal_code"],
        phone=address["phone"],
        tracking_number=order.tracking_number,
        sender_name=office.name,
        sender_address=office.address or _("Online SIM renewal (perpanjangan SIM daring)"),
        sender_phone=office.phone,
    )


def make_label(session: Session, order: DeliveryOrder, actor, version=None) -> DeliveryOrder:
    """Book the courier for a packed card (or a returned one going out again): the tracking
    number, then the label can be printed."""
    order = lock_order(session, order)
    if version is not None and str(version) != str(order.version):
        raise StaleForm(_("This order changed in the meantime. Reload the page."))
    if order.method != "courier" or order.state not in (OrderState.PACKED, OrderState.RETURNED):
        raise IllegalTransition(_("Only a packed or returned card gets a shipping label."))
    application = session.get(RenewalApplication, order.application_id)
    provider = providers.courier()
    order.tracking_number = provider.create_shipment(
        order_ref=order.public_id, recipient=application.address
    )
    order.courier = provider.name
    order.label_printed_at = None  # a new booking: its label is not printed yet
    return advance_order(
        session,
        order,
        OrderState.LABELLED,
        source="officer",
        actor=actor,
        note=order.tracking_number,
    )


def record_label_printed(session: Session, order: DeliveryOrder, actor) -> None:
    """An officer opened the label PDF to print it: the first time is stamped and audited
    (the card may be handed over from then on)."""
    if order.state != OrderState.LABELLED or order.label_printed_at is not None:
        return
    order = lock_order(session, order)
    if order.label_printed_at is not None:
        return
    # the version stays: the officer's open hand-over form is not made stale by printing
    order.label_printed_at = clock.now()
    audit.record(
        session,
        "delivery.label_printed",
        actor=actor,
        object_type="delivery_order",
        object_id=order.public_id,
        data={"tracking_number": order.tracking_number},
    )
    session.flush()


def hand_to_courier(session: Session, order: DeliveryOrder, actor, version=None) -> DeliveryOrder:
    """Hand the labelled parcel to the courier (refused before its label was printed)."""
    order = lock_order(session, order)
    if order.state != OrderState.LABELLED:
        raise IllegalTransition(_("Make and print the shipping label before the hand-over."))
    return advance_order(
        session,
        order,
        OrderState.HANDED_TO_COURIER,
        source="officer",
        actor=actor,
        note=order.tracking_number,
        version=version,
    )


COURIER_STATES = {
    "in_transit": OrderState.IN_TRANSIT,
    "delivered": OrderState.DELIVERED,
    "returned": OrderState.RETURNED,
}


def handle_courier_webhook(
    session: Session, body: bytes, headers: Mapping[str, str], provider_name: str | None = None
) -> WebhookResult:
    """Verify, record and apply one courier status event (provider_events.receive)."""
    return provider_events.receive(
        session,
        "courier",
        providers.courier(provider_name),
        body,
        headers,
        target=_lock_shipment,
        apply=_apply_status,
    )


def _lock_shipment(session: Session, event) -> DeliveryOrder | None:
    # the order's row lock serialises deliveries of events about it
    return session.scalars(
        select(DeliveryOrder)
        .where(DeliveryOrder.tracking_number == event.reference)
        .with_for_update()
    ).first()


def _apply_status(session: Session, order: DeliveryOrder | None, event) -> WebhookResult:
    if order is None:
        return WebhookResult(404, "unknown_shipment", f"no shipment {event.reference!r}")
    to = COURIER_STATES.get(event.status or "")
    if to is None:
        return WebhookResult(400, "unknown_status", f"status {event.status!r}")
    if order.state == to:
        return WebhookResult(200, "unchanged")
    # an illegal move raises IllegalTransition before anything is written: on record as
    # illegal_transition (409)
    advance_order(
        session, order, to, source="courier", external_id=event.event_id, note=order.courier or ""
    )
    return WebhookResult(200, to.value)


def sandbox_courier_status(session: Session, order: DeliveryOrder, status: str):
    """The sandbox page: the courier's signed webhook, through the real handler."""
    sandbox = providers.courier("sandbox")
    body, headers = sandbox.status_event(order.tracking_number or "", status)
    return handle_courier_webhook(session, body, headers, "sandbox")


def confirm_receipt(
    session: Session, application: RenewalApplication, rating, comment: str, actor, version=None
) -> RenewalApplication:
    """The holder confirms the card arrived and rates the service: the renewal is complete."""
    application = lock_application(session, application)
    check_version(application, version)
    order = get_order(session, application)
    if application.state != AppState.APPROVED or order is None or order.state not in RECEIVED:
        raise IllegalTransition(_("You can confirm receipt once the card has been delivered."))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise InvalidDocument(_("Choose a rating from 1 to 5."), {"rating": _("Choose a rating.")})
    application.rating = rating
    application.rating_comment = (comment or "").strip()[:1000] or None
    return advance(session, application, AppState.COMPLETED, actor, f"rating {rating}")

"""The renewal's status tables walked pair by pair through the one engine (the application's
state is walked in test_application.py): the identity status beside the state, delivery orders
(courier and pick-up), virtual accounts, refunds, licences, identity-check tries and printed card
copies."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.workflow_walk import pairs, walk
from ujisim.core.errors import IllegalTransition
from ujisim.proctoring.models import Decision
from ujisim.renewal import application as apps
from ujisim.renewal import delivery
from ujisim.renewal.models import (
    AppState,
    CopyStatus,
    IdentityStatus,
    LicenceStatus,
    OrderState,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    Reminder,
    ReminderStatus,
    RenewalIdentityCheck,
)

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL


@pytest.fixture
def started(db, holder, licence):
    return apps.start_application(db, holder, licence.number, holder.nik, holder.date_of_birth)


@pytest.mark.parametrize(("src", "dst"), pairs(IdentityStatus))
def test_identity_status_table(db, started, holder, src, dst):
    version = started.version
    if walk(db, started, src, dst, holder):
        assert started.version == version + 1  # an open form of the application is stale


@pytest.mark.parametrize("method", ["courier", "pickup"])
@pytest.mark.parametrize(("src", "dst"), pairs(OrderState))
def test_order_table(db, started, licence, clock, src, dst, method):
    """The order alone (the whole walk to an approval is test_verification's). The walk's
    order is booked and its label printed, so the table decides; without them a courier order
    is neither labelled nor handed over (test_delivery.py)."""
    started.state, started.delivery_method = AppState.APPROVED, method
    order = delivery.create_order(db, started, licence, None)
    order.tracking_number, order.courier = f"SBX{order.id:010d}", "sandbox"
    order.label_printed_at = clock()
    refused_for_method = (method == "pickup" and dst in delivery.COURIER_ONLY) or (
        method == "courier" and (src, dst) == (OrderState.PRINTED, OrderState.READY_FOR_PICKUP)
    )
    if not refused_for_method:
        walk(db, order, src, dst, source="test")
        return
    order.state = src
    db.flush()
    with pytest.raises(IllegalTransition):
        delivery.advance_order(db, order, dst, source="test")
    db.refresh(order)
    assert order.state == src


def test_a_courier_order_is_labelled_between_packing_and_the_courier():
    courier_moves = {(a, b) for a, b in delivery.TRANSITIONS if b in delivery.COURIER_ONLY}
    into_courier = {a for a, b in courier_moves if b == OrderState.HANDED_TO_COURIER}
    assert into_courier == {OrderState.LABELLED}  # no hand-over without a label
    assert {a for a, b in courier_moves if b == OrderState.LABELLED} == {
        OrderState.PACKED,
        OrderState.RETURNED,
    }


@pytest.mark.parametrize(("src", "dst"), pairs(PaymentStatus))
def test_payment_table(db, started, clock, src, dst):
    payment = Payment(
        application_id=started.id,
        provider="sandbox",
        va_number=f"8808{started.id:012d}",
        amount=100_000,
        created_at=clock(),
        expires_at=clock() + timedelta(hours=24),
    )
    db.add(payment)
    if walk(db, payment, src, dst) and dst == PaymentStatus.PAID:
        assert payment.paid_at == clock()


@pytest.mark.parametrize(("src", "dst"), pairs(RefundStatus))
def test_refund_table(db, started, clock, src, dst):
    refund = Refund(
        application_id=started.id,
        paid=100_000,
        bank_fee=16_500,
        amount=83_500,
        reason="data_mismatch",
        created_at=clock(),
    )
    db.add(refund)
    walk(db, refund, src, dst)


@pytest.mark.parametrize(("src", "dst"), pairs(ReminderStatus))
def test_reminder_text_table(db, licence, clock, src, dst):
    text = Reminder(
        licence_id=licence.id,
        kind="d30",
        channel="sandbox",
        recipient="081234567890",
        due_on=clock().date(),
        text="ujisim: renew online",
    )
    db.add(text)
    if walk(db, text, src, dst) and dst == ReminderStatus.SENT:
        assert text.sent_at == clock()


@pytest.mark.parametrize(("src", "dst"), pairs(LicenceStatus))
def test_licence_table(db, licence, src, dst):
    walk(db, licence, src, dst)


def test_a_replaced_licence_stays_replaced():
    from ujisim.renewal.registry import LICENCE_TRANSITIONS

    assert not [pair for pair in LICENCE_TRANSITIONS if pair[0] == LicenceStatus.REPLACED]


@pytest.mark.parametrize(("src", "dst"), pairs(Decision))
def test_identity_check_decision_table(db, started, clock, holder, src, dst):
    check = RenewalIdentityCheck(
        application_id=started.id,
        try_number=1,
        challenge_json='["left", "right"]',
        tolerance=0.5,
        issued_at=clock(),
    )
    db.add(check)
    walk(db, check, src, dst, holder)


@pytest.mark.parametrize(("src", "dst"), pairs(CopyStatus))
def test_card_copy_table(db, licence, clock, src, dst):
    from ujisim.renewal import card_copies

    copy = card_copies.issue_copy(db, licence, print_job_id=None, claim_no=1)
    if walk(db, copy, src, dst) and dst != CopyStatus.VALID:
        assert (copy.ended_at, copy.end_reason) == (clock(), "walk")

"""The renewal's status tables walked pair by pair through the one engine (the application's
state and delivery orders are walked in test_application.py): the identity status beside the
state, virtual accounts, refunds, licences, identity-check tries and printed card copies."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.workflow_walk import pairs, walk
from ujisim.proctoring.models import Decision
from ujisim.renewal import application as apps
from ujisim.renewal.models import (
    CopyStatus,
    IdentityStatus,
    LicenceStatus,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
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

"""Refunds are paid (issue 19, point 5): a rejection after payment asks the payment provider's
refund API once the rejection commits, the provider's signed webhook confirms it, the holder
sees its state until paid and every e-mail says the reason and what happens next.

Attacks and faults that now fail: a forged or replayed "refund paid", an event for another
amount, a "paid" for a refund never asked of the provider, a lost answer that would pay twice.
"""

import json

import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD
from tests.renewal.conftest import post_webhook
from ujisim.core.mail import OutboxMessage
from ujisim.core.security import Role
from ujisim.renewal import payments, providers, refunds, verification
from ujisim.renewal.errors import ProviderUnavailable
from ujisim.renewal.models import AppState, ProviderEvent, Refund, RefundStatus

pytestmark = pytest.mark.both_backends
R = RefundStatus


@pytest.fixture
def officer(make_user):
    return make_user(Role.EXAMINER, locale="en")


@pytest.fixture
def rejected(db, walk, officer):
    """A paid application rejected for unclear documents, committed: the job has asked the
    provider for the refund."""
    application = walk(AppState.PAID)
    verification.reject(db, application, officer, "unclear_documents", "Foto buram")
    db.commit()
    return application


def refund_of(db, application) -> Refund:
    db.expire_all()
    return refunds.get_refund(db, application)


def mails(db, kind: str) -> list[OutboxMessage]:
    return list(
        db.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def refund_webhook(client, refund, outcome="paid", amount=None, reason="", event_id=None):
    sandbox = providers.payment_provider("sandbox")
    body, headers = sandbox.refund_event(
        refund.provider_ref,
        outcome,
        refund.amount if amount is None else amount,
        reason,
        event_id=event_id,
    )
    return post_webhook(client, "payment", body, headers)


def test_the_bank_fee_is_the_reported_bni_fee(app):
    assert app.config["RENEWAL_BANK_FEE"] == refunds.DEFAULT_BANK_FEE == 16_500


def test_a_rejection_asks_the_provider_once_it_commits(db, rejected):
    refund = refund_of(db, rejected)
    assert (refund.paid, refund.bank_fee, refund.amount) == (100_000, 16_500, 83_500)
    assert refund.status == R.REQUESTED
    assert (refund.provider, refund.attempt) == ("sandbox", 1)
    assert refund.provider_ref.startswith("RFD")
    assert refund.requested_at is not None


def test_a_rolled_back_rejection_asks_nothing(db, walk, officer):
    application = walk(AppState.PAID)
    verification.reject(db, application, officer, "data_mismatch")
    db.rollback()
    assert refunds.get_refund(db, application) is None
    assert refunds.request_due(db) == 0


def test_the_provider_request_is_idempotent(app):
    """A retry after a lost answer (same key) is the same refund at the provider; the next
    attempt is another."""
    sandbox = providers.payment_provider("sandbox")
    ask = {"amount": 83_500, "account": {}, "reference": "x"}
    first = sandbox.request_refund(key="abc.1", **ask)
    assert sandbox.request_refund(key="abc.1", **ask) == first
    assert sandbox.request_refund(key="abc.2", **ask) != first


def test_the_signed_webhook_pays_it_and_the_holder_is_told(client, db, rejected):
    refund = refund_of(db, rejected)
    response = refund_webhook(client, refund)
    assert (response.status_code, response.get_json()) == (200, {"status": "refund_paid"})
    refund = refund_of(db, rejected)
    assert refund.status == R.PAID
    assert refund.paid_at is not None
    event = db.scalars(select(ProviderEvent).where(ProviderEvent.refund_id == refund.id)).one()
    assert (event.accepted, event.outcome) == (True, "refund_paid")
    body = mails(db, "renewal_refund")[-1].body
    assert "Rp 83.500" in body
    assert "Unclear documents" in body
    assert "Nothing more needs to be done" in body


def test_a_forged_refund_paid_is_refused_and_changes_nothing(client, db, rejected):
    refund = refund_of(db, rejected)
    body = providers.event_body(type="refund.paid", reference=refund.provider_ref, amount=83_500)
    forged = {providers.SIGNATURE_HEADER: providers.sign(b"not the secret", body)}
    assert post_webhook(client, "payment", body, forged).status_code == 401
    assert refund_of(db, rejected).status == R.REQUESTED


def test_a_replayed_refund_paid_is_a_no_op(client, db, rejected):
    refund = refund_of(db, rejected)
    assert refund_webhook(client, refund, event_id="evt_refund_1").status_code == 200
    before = len(mails(db, "renewal_refund"))
    again = refund_webhook(client, refund_of(db, rejected), event_id="evt_refund_1")
    assert (again.status_code, again.get_json()) == (200, {"status": "duplicate"})
    assert len(mails(db, "renewal_refund")) == before


def test_another_amount_is_refused_on_record(client, db, rejected):
    refund = refund_of(db, rejected)
    response = refund_webhook(client, refund, amount=100_000)
    assert response.status_code == 422
    assert refund_of(db, rejected).status == R.REQUESTED
    event = db.scalars(select(ProviderEvent).where(ProviderEvent.refund_id == refund.id)).one()
    assert (event.accepted, event.outcome) == (False, "amount_mismatch")


def test_an_unknown_refund_is_refused(client, db, rejected):
    refund = refund_of(db, rejected)
    refund.provider_ref = "RFDNOTOURS"  # the event names it; ours stays as it was
    response = refund_webhook(client, refund)
    db.rollback()
    assert response.status_code == 404
    assert refund_of(db, rejected).status == R.REQUESTED


def test_paid_is_refused_for_a_refund_never_requested(client, db, walk, officer, monkeypatch):
    """A provider that is unreachable leaves the refund pending (retried every minute); a
    "paid" for it before any request is an illegal move, on record."""

    def unreachable(**_kwargs):
        raise ProviderUnavailable("connection refused")

    sandbox = providers.SandboxPayments()
    monkeypatch.setattr(sandbox, "request_refund", unreachable)
    monkeypatch.setitem(providers.PAYMENT_PROVIDERS, "sandbox", lambda: sandbox)
    application = walk(AppState.PAID)
    verification.reject(db, application, officer, "data_not_found")
    db.commit()
    refund = refund_of(db, application)
    assert (refund.status, refund.attempt) == (R.PENDING, 0)
    refund.provider_ref = "RFDPENDING"
    db.commit()
    monkeypatch.undo()
    response = refund_webhook(client, refund_of(db, application))
    assert response.status_code == 409
    assert refund_of(db, application).status == R.PENDING
    # the provider is back: the next run asks it
    assert refunds.request_due(db) == 1
    db.commit()
    assert refund_of(db, application).status == R.REQUESTED


def test_a_failed_refund_goes_to_the_corrected_account(client, db, rejected, holder):
    refund = refund_of(db, rejected)
    first_ref = refund.provider_ref
    response = refund_webhook(client, refund, "failed", reason="rekening ditutup")
    assert response.status_code == 200
    refund = refund_of(db, rejected)
    assert (refund.status, refund.failure) == (R.FAILED, "rekening ditutup")
    body = mails(db, "renewal_refund")[-1].body
    assert "rekening ditutup" in body
    assert "/lacak" in body

    client.login(holder.email, DEFAULT_PASSWORD)
    track = f"/perpanjangan/{rejected.public_id}/lacak"
    page = client.get(track).get_data(as_text=True)
    assert 'id="refund-account-form"' in page
    assert 'data-state="failed"' in page
    url = f"/perpanjangan/{rejected.public_id}/refund/rekening"
    bad = client.submit(
        url,
        {"refund_bank": "BCA", "refund_number": "12", "refund_holder": "Sari", "version": "x"},
    )
    assert bad.status_code == 303
    assert "6 to 20 digits" in client.get(track).get_data(as_text=True)
    assert refund_of(db, rejected).status == R.FAILED  # a bad form changes nothing
    good = {
        "refund_bank": "BCA",
        "refund_number": "5430 1234 56",
        "refund_holder": "Sari Wulandari",
        "version": str(refund.version),
    }
    assert client.submit(url, good).status_code == 303
    refund = refund_of(db, rejected)
    # asked again at once (the job after the commit), as a new attempt: a new provider id
    assert (refund.status, refund.attempt) == (R.REQUESTED, 2)
    assert refund.provider_ref != first_ref
    assert json.loads(refund.account)["number"] == "5430123456"
    # the same form again (a double click) is stale: nothing more
    assert client.submit(url, good).status_code == 303
    assert refund_of(db, rejected).attempt == 2


def test_only_a_failed_refund_takes_another_account(db, rejected, holder):
    with pytest.raises(refunds.IllegalTransition):
        refunds.change_account(
            db, refund_of(db, rejected), {"bank": "BCA", "number": "123456", "holder": "X"}, holder
        )


def test_the_rejection_mail_says_why_and_what_happens_next(db, rejected):
    body = mails(db, "renewal_status")[-1].body
    assert "Reason: Unclear documents." in body
    assert "Foto buram" in body
    assert "we pay back Rp 83.500" in body
    assert "Rp 16.500" in body
    assert "account ending 3501" in body
    requested = mails(db, "renewal_refund")[-1]
    assert "refund sent to the bank" in requested.subject
    assert "on its way" in requested.body


def test_a_rejection_without_payment_says_nothing_is_refunded(db, walk, officer):
    application = walk(AppState.IDENTITY_REVIEW)
    verification.reject(db, application, officer, "identity_not_confirmed")
    db.commit()
    body = mails(db, "renewal_status")[-1].body
    assert "nothing was paid" in body
    assert "Identity not confirmed" in body


def test_the_officer_sandbox_buttons_send_the_signed_webhook(client, db, rejected, officer):
    client.login(officer.email, DEFAULT_PASSWORD)
    detail = f"/examiner/renewals/{rejected.public_id}"
    page = client.get(detail).get_data(as_text=True)
    assert 'id="refund-sandbox"' in page
    assert '<span id="payment-state" data-state="paid">paid</span>' in page  # not the raw code
    url = f"{detail}/refund-sandbox"
    assert client.submit(url, {"outcome": "paid"}).status_code == 303
    assert refund_of(db, rejected).status == R.PAID
    # again: the move is refused with a message, nothing changes
    assert client.submit(url, {"outcome": "paid"}).status_code == 303
    assert refund_of(db, rejected).status == R.PAID
    assert client.submit(url, {"outcome": "bogus"}).status_code == 400


def test_the_holder_sees_the_state_until_paid(client, db, rejected, holder):
    client.login(holder.email, DEFAULT_PASSWORD)
    track = f"/perpanjangan/{rejected.public_id}/lacak"
    assert 'data-state="requested"' in client.get(track).get_data(as_text=True)
    refund_webhook(client, refund_of(db, rejected))
    assert 'data-state="paid"' in client.get(track).get_data(as_text=True)


def test_refund_sandbox_is_the_officers_only(client, db, rejected, holder):
    client.login(holder.email, DEFAULT_PASSWORD)
    url = f"/examiner/renewals/{rejected.public_id}/refund-sandbox"
    assert client.submit(url, {"outcome": "paid"}).status_code in (403, 404)
    assert refund_of(db, rejected).status == R.REQUESTED


def test_payments_module_routes_refund_events(db, rejected):
    """The payment webhook's handler takes refund events to refunds.py (one endpoint)."""
    refund = refund_of(db, rejected)
    result = payments.sandbox_refund(db, refund, "paid")
    assert (result.status, result.outcome) == (200, "refund_paid")

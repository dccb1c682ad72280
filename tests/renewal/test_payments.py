"""Fees, the virtual account and the signed payment webhook: signature, replay, amount,
idempotency; expiry of unpaid accounts; the sandbox page."""

import json

import pytest
from sqlalchemy import func, select

from tests.conftest import DEFAULT_PASSWORD
from tests.renewal.conftest import post_webhook
from ujisim.renewal import payments, providers
from ujisim.renewal.models import AppState, ProviderEvent

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL


def paid_event(account, amount=None, event_id=None):
    sandbox = providers.payment_provider("sandbox")
    return sandbox.paid_event(
        account.va_number, account.amount if amount is None else amount, event_id
    )


def post(client, body, headers):
    return post_webhook(client, "payment", body, headers)


def state_of(db, application):
    db.expire_all()
    return db.get(type(application), application.id).state


def test_fees_are_itemised(db, unpaid, account):
    lines = payments.fee_lines(unpaid)
    # A, Jakarta courier; then ePPsi (2026 fee) and e-Rikkes, paid to their providers already
    assert [(line.amount, line.in_account) for line in lines] == [
        (80_000, True),
        (5_000, True),
        (15_000, True),
        (77_500, False),
        (35_000, False),
    ]
    assert sum(line.amount for line in lines if line.in_account) == 100_000
    assert account.amount == unpaid.total == 100_000
    assert account.va_number.startswith("88089")
    assert account.expires_at > unpaid.created_at


def test_class_c_and_pick_up(db, clock, holder, make_licence, walk):
    licence_c = make_licence(holder, licence_class="C")
    application = walk(AppState.PAYMENT, method="pickup", lic=licence_c)
    lines = payments.fee_lines(application)
    assert [line.amount for line in lines if line.in_account] == [75_000, 5_000]
    assert application.total == 80_000


def test_payment_marks_the_application_paid(client, db, unpaid, account):
    response = post(client, *paid_event(account))
    assert (response.status_code, response.get_json()) == (200, {"status": "paid"})
    assert state_of(db, unpaid) == AppState.PAID


def test_bad_signature_changes_nothing(client, db, unpaid, account):
    body, headers = paid_event(account)
    forged = headers[providers.SIGNATURE_HEADER][:-4] + "0000"
    for header in ({providers.SIGNATURE_HEADER: forged}, {}, {providers.SIGNATURE_HEADER: "v1=x"}):
        response = post(client, body, header)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "bad_signature"
    tampered = body.replace(b'"amount":100000', b'"amount":1')
    assert post(client, tampered, headers).status_code == 401
    assert state_of(db, unpaid) == AppState.PAYMENT
    assert db.scalar(select(func.count()).select_from(ProviderEvent)) == 0


def test_signature_with_another_secret(client, db, unpaid, account):
    body = providers.event_body(type="va.paid", reference=account.va_number, amount=account.amount)
    headers = {providers.SIGNATURE_HEADER: providers.sign(b"not-the-secret", body)}
    assert post(client, body, headers).status_code == 401


def test_stale_signature_is_refused(client, db, clock, unpaid, account):
    body, headers = paid_event(account)
    clock.advance(seconds=providers.WEBHOOK_TOLERANCE_S + 1)
    response = post(client, body, headers)
    assert (response.status_code, response.get_json()["error"]["code"]) == (401, "stale")
    assert state_of(db, unpaid) == AppState.PAYMENT


def test_replayed_event_is_a_no_op(client, db, unpaid, account):
    body, headers = paid_event(account)
    assert post(client, body, headers).get_json() == {"status": "paid"}
    again = post(client, body, headers)
    assert (again.status_code, again.get_json()) == (200, {"status": "duplicate"})
    assert db.scalar(select(func.count()).select_from(ProviderEvent)) == 1


def test_second_event_for_a_paid_account_is_idempotent(client, db, unpaid, account):
    post(client, *paid_event(account))
    response = post(client, *paid_event(account))  # a new event id, same payment
    assert response.get_json() == {"status": "already_paid"}
    assert state_of(db, unpaid) == AppState.PAID


@pytest.mark.parametrize("amount", [99_999, 100_001, 0])
def test_wrong_amount_is_refused_and_recorded(client, db, unpaid, account, amount):
    response = post(client, *paid_event(account, amount))
    assert (response.status_code, response.get_json()) == (422, {"status": "amount_mismatch"})
    assert state_of(db, unpaid) == AppState.PAYMENT
    event = db.scalars(select(ProviderEvent)).one()
    assert (event.kind, event.accepted, event.outcome, event.amount) == (
        "payment",
        False,
        "amount_mismatch",
        amount,
    )
    assert event.reason == f"expected 100000, got {amount}"


def test_malformed_body(client, account):
    for body in (
        b"not json",
        json.dumps({"type": "va.paid"}).encode(),
        json.dumps({"event_id": "e", "reference": "x", "amount": "100000"}).encode(),
    ):
        headers = {
            providers.SIGNATURE_HEADER: providers.sign(providers.webhook_secret("payment"), body)
        }
        assert post(client, body, headers).status_code == 400


def test_unknown_account(client, account):
    sandbox = providers.payment_provider("sandbox")
    response = post(client, *sandbox.paid_event("8808900000000000", 100_000))
    assert (response.status_code, response.get_json()) == (404, {"status": "unknown_account"})


def test_unpaid_account_expires_with_its_application(
    client, db, clock, runner, holder, unpaid, account
):
    from ujisim.core.mail import OutboxMessage

    clock.advance(hours=23)
    assert payments.expire_unpaid(db) == 0
    clock.advance(hours=1, seconds=1)
    result = runner.invoke(args=["licences", "expire-unpaid"])
    assert "expired 1 unpaid account(s)" in result.output
    assert state_of(db, unpaid) == AppState.EXPIRED
    mail = db.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert mail.to == holder.email
    assert "Expired" in mail.subject
    late = post(client, *paid_event(account))  # the bank pays after all: refused, recorded
    assert (late.status_code, late.get_json()) == (409, {"status": "expired"})
    assert state_of(db, unpaid) == AppState.EXPIRED
    client.login(holder.email, DEFAULT_PASSWORD)
    page = client.get(f"/perpanjangan/{unpaid.public_id}/lacak").get_data(as_text=True)
    assert "not paid in time" in page


def test_sandbox_page_pays_and_is_labelled(client, db, holder, unpaid, account):
    client.login(holder.email, DEFAULT_PASSWORD)
    payment_page = client.get(f"/perpanjangan/{unpaid.public_id}").get_data(as_text=True)
    assert "SANDBOX" in payment_page
    assert "Rp 100.000" in payment_page
    assert account.va_number in payment_page
    page = client.get(f"/perpanjangan/sandbox/bayar/{account.public_id}").get_data(as_text=True)
    assert "SANDBOX" in page
    assert '<dd data-state="pending">waiting for payment</dd>' in page  # words, not the code
    wrong = client.submit(f"/perpanjangan/sandbox/bayar/{account.public_id}", {"amount": "1"})
    assert wrong.status_code == 303
    assert state_of(db, unpaid) == AppState.PAYMENT
    # more than an event may name (providers.MAX_AMOUNT): was a 500 on PostgreSQL
    for garbage in ("", "sepuluh ribu", "80,000.5", "-100000", "3000000000"):
        refused = client.submit(
            f"/perpanjangan/sandbox/bayar/{account.public_id}", {"amount": garbage}
        )
        assert refused.status_code == 422, garbage
        assert "digits only" in refused.get_data(as_text=True)
        assert state_of(db, unpaid) == AppState.PAYMENT
    right = client.submit(  # written as on a bank slip: Rp 100.000
        f"/perpanjangan/sandbox/bayar/{account.public_id}",
        {"amount": f"Rp {account.amount:,}".replace(",", ".")},
    )
    assert right.status_code == 303
    assert state_of(db, unpaid) == AppState.PAID
    track = client.get(right.headers["Location"]).get_data(as_text=True)
    assert "place in the queue: 1" in track


def test_sandbox_pages_of_somebody_else_are_404(client, login, account):
    from ujisim.core.security import Role

    login(Role.APPLICANT)
    assert client.get(f"/perpanjangan/sandbox/bayar/{account.public_id}").status_code == 404

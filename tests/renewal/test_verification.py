"""Officer verification (approve, reject with each reason and a refund, identity review), the
print-queue hook, delivery orders with the sandbox courier, pick-up, receipt and tracking."""

import json
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD
from ujisim.certificates import print_documents, print_queue, renewal_cards
from ujisim.certificates.models import JobKind, PrintJob
from ujisim.core.errors import IllegalTransition
from ujisim.core.mail import OutboxMessage
from ujisim.core.security import Role
from ujisim.renewal import (
    delivery,
    delivery_options,
    pickup,
    providers,
    refunds,
    registry,
    tracking,
    verification,
)
from ujisim.renewal.errors import InvalidDocument
from ujisim.renewal.models import AppState, Licence, LicenceStatus, OrderState


@pytest.fixture
def officer(make_user):
    return make_user(Role.EXAMINER, locale="en")  # pages in English, catalogue or not


@pytest.fixture
def approved(walk):
    return walk(AppState.APPROVED)


def test_approval_issues_licence_print_job_and_order(db, approved, licence):
    old = db.get(Licence, licence.id)
    new = db.get(Licence, approved.new_licence_id)
    assert (old.status, old.replaced_by_id) == (LicenceStatus.REPLACED, new.id)
    assert new.number == old.number
    assert new.status == LicenceStatus.ACTIVE
    assert (new.issued_on, new.expires_on) == (date(2026, 11, 22), date(2031, 11, 22))
    assert len(new.encoding) == 128  # the next renewal compares with the new photo
    assert registry.get_current_licence(db, old.number) == new
    order = delivery.get_order(db, approved)
    job = db.get(PrintJob, order.print_job_id)
    assert (job.kind, job.state, order.state) == (JobKind.CARD, "ready", OrderState.CREATED)
    card = print_documents.card_of(db, job)
    assert (card.licence_number, card.expires_on, card.sex) == (new.number, new.expires_on, "L")
    # issued by the office the holder chose at the delivery step
    assert new.satpas == card.issuing_office == "Satpas Polrestabes Bandung" != old.satpas
    assert tracking.step_of(approved.state, order.state) == "processing"


def test_approval_twice_is_refused(db, approved, officer):
    with pytest.raises(IllegalTransition):
        verification.approve(db, approved, officer)


@pytest.mark.parametrize("reason", list(verification.REJECT_REASONS))
def test_rejection_with_each_reason_refunds_fees_minus_bank_fee(db, walk, officer, reason):
    application = walk(AppState.PAID)
    verification.reject(db, application, officer, reason, "Foto buram")
    refund = refunds.get_refund(db, application)
    assert application.state == AppState.REJECTED
    assert application.reject_reason == reason
    assert (refund.paid, refund.bank_fee, refund.amount) == (100_000, 16_500, 83_500)
    # to the account the holder gave, normalised
    assert json.loads(refund.account) == {
        "bank": "BRI",
        "number": "012301000123501",
        "holder": "Sari Wulandari",
    }


def test_rejection_needs_a_known_reason(db, walk, officer):
    application = walk(AppState.PAID)
    with pytest.raises(verification.ValidationError):
        verification.reject(db, application, officer, "because")
    assert application.state == AppState.PAID


def test_identity_review_cleared(db, walk, officer):
    application = walk(AppState.IDENTITY_REVIEW)
    verification.clear_identity(db, application, officer)
    assert (application.state, application.identity_status) == (AppState.DELIVERY, "cleared")


def test_identity_review_rejected_without_refund(db, walk, officer):
    application = walk(AppState.IDENTITY_REVIEW)
    verification.reject(db, application, officer, "identity_not_confirmed")
    assert application.state == AppState.REJECTED
    assert refunds.get_refund(db, application) is None


def test_queue_and_positions(db, walk, clock, holder, make_licence, make_user):
    from tests.renewal.conftest import make_nik

    first = walk(AppState.PAID)
    clock.advance(minutes=5)
    born = date(1992, 2, 2)
    other = make_user(Role.APPLICANT, nik=make_nik(born), date_of_birth=born)
    second = walk(AppState.PAID, user=other, lic=make_licence(other))
    assert verification.query_queue(db)[:2] == [first, second]
    assert [verification.queue_position(db, a) for a in (first, second)] == [1, 2]


def _print(db, order, make_user):
    """The print shop claims the card job and marks it printed (the print queue's services)."""
    shop = make_user(Role.PRINT_SHOP)
    job = db.get(PrintJob, order.print_job_id)
    print_queue.advance(db, job, print_queue.JobState.CLAIMED, shop, holder=shop)
    return print_queue.mark_printed(db, job, shop, shop)


def test_print_hook_and_sync(db, approved, make_user):
    order = delivery.get_order(db, approved)
    job = _print(db, order, make_user)
    assert order.state == OrderState.PRINTED  # mark_printed sent job_printed
    assert renewal_cards.sync_printed(db) == 0
    assert delivery.mark_card_printed(db, job) is None  # idempotent
    assert tracking.step_of(approved.state, order.state) == "issued"


def test_sync_catches_up_a_print_the_hook_missed(db, approved, make_user):
    """A print recorded without mark_printed (an old queue, a crash): the job catches it up."""
    order = delivery.get_order(db, approved)
    shop = make_user(Role.PRINT_SHOP)
    job = db.get(PrintJob, order.print_job_id)
    print_queue.advance(db, job, print_queue.JobState.CLAIMED, shop, holder=shop)
    print_queue.advance(db, job, print_queue.JobState.PRINTED, shop, holder=shop)
    assert order.state == OrderState.CREATED
    assert renewal_cards.sync_printed(db) == 1
    assert order.state == OrderState.PRINTED


def test_the_print_api_moves_the_order_to_printed_at_once(client, db, approved, make_user):
    from ujisim.certificates import stations

    station, token = stations.create_station(db, "Percetakan Sudirman", make_user(Role.ADMIN))
    db.commit()
    order = delivery.get_order(db, approved)
    job = db.get(PrintJob, order.print_job_id)
    auth = {"Authorization": f"Bearer {token}"}
    claimed = client.post("/api/v1/print/jobs/claim", json={"kind": "card"}, headers=auth)
    assert job.public_id in [j["id"] for j in claimed.get_json()["jobs"]]
    done = client.post(f"/api/v1/print/jobs/{job.public_id}/printed", headers=auth)
    assert done.get_json()["state"] == "printed"
    db.expire_all()
    assert db.get(type(order), order.id).state == OrderState.PRINTED  # no sync job ran
    assert renewal_cards.sync_printed(db) == 0


def test_courier_delivery_through_signed_webhooks(client, db, approved, officer, make_user):
    order = delivery.get_order(db, approved)
    _print(db, order, make_user)
    delivery.mark_card_printed(db, db.get(PrintJob, order.print_job_id))
    delivery.advance_order(db, order, OrderState.PACKED, source="officer", actor=officer)
    delivery.make_label(db, order, officer)
    delivery.record_label_printed(db, order, officer)
    delivery.hand_to_courier(db, order, officer)
    assert order.tracking_number.startswith("SBX")
    assert order.state == OrderState.HANDED_TO_COURIER
    db.commit()
    sandbox = providers.courier("sandbox")
    url = "/courier/webhook"

    def send(status, event_id=None, headers=None):
        body, signed = sandbox.status_event(order.tracking_number, status, event_id)
        return client.post(url, data=body, headers=headers or signed)

    assert send("in_transit", headers={providers.SIGNATURE_HEADER: "t=1,v1=00"}).status_code == 401
    assert send("in_transit", "evt-1").get_json() == {"status": "in_transit"}
    assert send("in_transit", "evt-1").get_json() == {"status": "duplicate"}  # replay
    assert send("in_transit").get_json() == {"status": "unchanged"}
    assert send("teleported").status_code == 400
    assert send("delivered").get_json() == {"status": "delivered"}
    refused = send("in_transit")
    assert (refused.status_code, refused.get_json()) == (409, {"status": "illegal_transition"})
    db.expire_all()
    assert delivery.get_order(db, approved).state == OrderState.DELIVERED


def test_returned_then_redelivered(db, approved, officer, make_user):
    order = delivery.get_order(db, approved)
    order.state = OrderState.IN_TRANSIT
    order.tracking_number, order.courier = "SBX0000000001", "sandbox"
    db.flush()
    assert delivery.sandbox_courier_status(db, order, "returned").outcome == "returned"
    with pytest.raises(IllegalTransition):  # the old label names the old shipment
        delivery.hand_to_courier(db, order, officer)
    delivery.make_label(db, order, officer)  # a new booking, a new label
    assert order.tracking_number != "SBX0000000001"
    with pytest.raises(IllegalTransition):  # not printed yet
        delivery.hand_to_courier(db, order, officer)
    delivery.record_label_printed(db, order, officer)
    delivery.hand_to_courier(db, order, officer)
    assert order.state == OrderState.HANDED_TO_COURIER


def test_the_shipping_label_carries_address_and_tracking_barcode(
    client, db, approved, officer, make_user
):
    from tests.certificates import pdf_tools as pdf

    order = delivery.get_order(db, approved)
    url = f"/examiner/renewals/orders/{order.public_id}/label.pdf"
    client.login(officer.email, DEFAULT_PASSWORD)
    assert client.get(url).status_code == 404  # no courier booked yet: no tracking number
    _print(db, order, make_user)
    delivery.mark_card_printed(db, db.get(PrintJob, order.print_job_id))
    delivery.advance_order(db, order, OrderState.PACKED, source="officer", actor=officer)
    delivery.make_label(db, order, officer)
    db.commit()
    page = client.get(f"/examiner/renewals/{approved.public_id}").get_data(as_text=True)
    assert f'href="{url}"' in page
    response = client.get(url)
    assert (response.status_code, response.mimetype) == (200, "application/pdf")
    label = response.get_data()
    pdf.assert_size(label, pdf.A6, pages=1)
    words = pdf.text(label)
    for part in ("Jl. Melati No. 5 RT 01/RW 02", "12160", "Jakarta Selatan", order.tracking_number):
        assert part in words
    codes = pdf.barcodes(label, pdf.CODE128, dpi=300)
    assert [code.text for code in codes] == [order.tracking_number]
    # a counter pick-up never has a label, whatever it carries
    pickup = type(order)(method="pickup", tracking_number=order.tracking_number)
    assert delivery.label_of(db, pickup) is None


def test_a_refused_delivery_choice_changes_nothing(db, walk, holder):
    from tests.renewal.conftest import COURIER
    from ujisim.renewal.forms import delivery_choice
    from ujisim.renewal.models import RenewalApplication

    application = walk(AppState.DELIVERY)
    bad = {**COURIER, "method": "courier", "satpas": "Satpas Entah Di Mana", "postal_code": "123"}
    with pytest.raises(InvalidDocument) as refused:
        delivery_options.choose_delivery(db, application, delivery_choice(bad), holder)
    assert set(refused.value.fields) == {"satpas", "postal_code"}  # every problem at once
    db.rollback()
    assert db.get(RenewalApplication, application.id).state == AppState.DELIVERY


def test_the_shipping_fee_comes_from_the_configured_table(app, tmp_path):
    rates = tmp_path / "rates.json"
    rates.write_text('{"DKI Jakarta": 12000, "Papua": 55000, "default": 30000}')
    app.config["RENEWAL_SHIPPING_RATES"] = str(rates)
    assert delivery_options.shipping_fee("DKI Jakarta") == 12000
    assert delivery_options.shipping_fee("Papua") == 55000
    assert delivery_options.shipping_fee("Bali") == 30000


def test_pick_up_needs_the_holders_nik(db, walk, officer, holder):
    application = walk(AppState.APPROVED, method="pickup")
    order = delivery.get_order(db, application)
    order.state = OrderState.PRINTED
    db.flush()
    delivery.advance_order(db, order, OrderState.READY_FOR_PICKUP, source="officer", actor=officer)
    with pytest.raises(InvalidDocument):
        pickup.hand_over_at_counter(db, order, officer, "3174051111900001")
    pickup.hand_over_at_counter(db, order, officer, holder.nik)
    assert order.state == OrderState.PICKED_UP


def test_receipt_and_rating_complete_the_renewal(client, db, approved, holder):
    order = delivery.get_order(db, approved)
    client.login(holder.email, DEFAULT_PASSWORD)
    url = f"/perpanjangan/{approved.public_id}/terima"
    early = client.submit(url, {"rating": "5", "version": approved.version})
    assert early.status_code == 303
    assert db.get(type(approved), approved.id).state == AppState.APPROVED
    order.state = OrderState.DELIVERED
    db.commit()
    page = client.get(f"/perpanjangan/{approved.public_id}/lacak").get_data(as_text=True)
    assert "Did you receive your new card?" in page
    bad = client.submit(url, {"rating": "9", "version": approved.version})
    assert bad.status_code == 303
    done = client.submit(url, {"rating": "4", "comment": "Cepat", "version": approved.version})
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    db.expire_all()
    final = db.get(type(approved), approved.id)
    assert (final.state, final.rating, final.rating_comment) == (AppState.COMPLETED, 4, "Cepat")
    assert 'class="current" aria-current="step" id="status">Completed' in page


def test_an_email_at_every_status_change(db, approved, holder):
    subjects = [
        m.subject
        for m in db.scalars(
            select(OutboxMessage).where(OutboxMessage.to == holder.email).order_by(OutboxMessage.id)
        )
    ]
    assert any("Registration in progress" in s for s in subjects)
    assert any(": Paid" in s for s in subjects)
    assert any("Processing" in s for s in subjects)


def test_officer_pages(client, db, walk, officer):
    paid = walk(AppState.PAID)
    client.login(officer.email, DEFAULT_PASSWORD)
    queue = client.get("/examiner/renewals/").get_data(as_text=True)
    assert paid.public_id in queue
    detail = client.get(f"/examiner/renewals/{paid.public_id}").get_data(as_text=True)
    assert "Photos match: face distance 0." in detail
    stale = client.submit(f"/examiner/renewals/{paid.public_id}/approve", {"version": "1"})
    assert stale.status_code == 303
    assert db.get(type(paid), paid.id).state == AppState.PAID
    ok = client.submit(
        f"/examiner/renewals/{paid.public_id}/approve", {"version": str(paid.version)}
    )
    assert ok.status_code == 303
    db.expire_all()
    assert db.get(type(paid), paid.id).state == AppState.APPROVED


def test_the_card_qr_verifies_against_the_registry(app, client, db, approved, licence, tmp_path):
    """The QR on the back of the printed card: valid, then replaced by the next renewal's card
    or revoked in the registry; the CLI reads it from page 2 of the card's PDF."""
    from tests.renewal.conftest import photo_bytes
    from ujisim.certificates import printing, qr_texts, signing
    from ujisim.core import storage
    from ujisim.core.secrets import signing_key

    order = delivery.get_order(db, approved)
    with app.test_request_context():
        pdf = printing.document_pdf(db, db.get(PrintJob, order.print_job_id))
    (url,) = qr_texts(pdf, page=None, dpi=600)
    token = signing.token_from_url(url)
    new = db.get(Licence, approved.new_licence_id)

    page = client.get(f"/verify/{token}")  # public: in Indonesian, the default
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-status="valid"' in text
    assert "Kartu SIM ini diterbitkan melalui ujisim" in text
    assert 'data-verdict="valid"' in text
    assert new.number in text
    assert new.holder_name in text
    body = client.get(f"/verify/{token}", headers={"Accept": "application/json"}).get_json()
    assert body["status"] == "valid"
    assert body["card"]["number"] == new.number
    assert body["card"]["expires_on"] == new.expires_on.isoformat()
    assert "address" not in body["card"]

    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    result = app.test_cli_runner().invoke(args=["certificates", "verify", str(path)])
    assert (result.exit_code, result.output.split(" (")[0]) == (0, "VALID"), result.output
    assert new.number in result.output

    # the card before this renewal now verifies as replaced, from the day the new one came
    old = db.get(Licence, licence.id)
    photo = photo_bytes("obama.jpg")
    old.photo_file_id = storage.store(
        db, photo, content_type="image/jpeg", purpose=registry.FILE_PURPOSE
    ).id
    db.flush()
    old_card = verification._card_data(db, old, photo, None)
    old_token = signing.sign(old_card, signing_key())
    body = client.get(f"/verify/{old_token}", headers={"Accept": "application/json"}).get_json()
    assert (body["status"], body["reason"]) == ("revoked", "replaced")
    assert body["revoked_at"] == new.created_at.isoformat()
    assert "Kartu hasil perpanjangan diterbitkan pada" in client.get(f"/verify/{old_token}").text

    new.status = LicenceStatus.REVOKED
    db.flush()
    body = client.get(f"/verify/{token}", headers={"Accept": "application/json"}).get_json()
    assert (body["status"], body["reason"]) == ("revoked", None)
    assert "Kartu SIM ini telah ditarik" in client.get(f"/verify/{token}").text
    new.address = "Jl. Lain No. 1"  # the registry no longer says what the card says
    new.status = LicenceStatus.ACTIVE
    db.flush()
    body = client.get(f"/verify/{token}", headers={"Accept": "application/json"}).get_json()
    assert (body["status"], body["reason"]) == ("invalid", "mismatch")


def test_deleting_the_account_takes_the_card_print_job_and_its_photo(
    db, approved, holder, make_user
):
    """After the renewal is complete the holder's account can go, and with it the print job's
    copies of their photo and signature; the registry keeps the licence, without the photo
    and the face encoding made from it."""
    from ujisim.accounts.services import delete_account
    from ujisim.core import storage
    from ujisim.core.storage import StoredFile

    order = delivery.get_order(db, approved)
    job = db.get(PrintJob, order.print_job_id)
    copies = [
        storage.path_of(db.get(StoredFile, i)) for i in (job.photo_file_id, job.signature_file_id)
    ]
    assert all(p.exists() for p in copies)
    order.state = OrderState.DELIVERED
    db.flush()
    delivery.confirm_receipt(db, approved, 5, "", holder, approved.version)
    job_id, new_licence_id = job.id, approved.new_licence_id
    other = db.get(Licence, approved.licence_id)  # the card it replaced: a registry photo
    assert db.get(Licence, new_licence_id).encoding is not None
    assert other.encoding is not None
    delete_account(db, holder, actor=make_user(Role.ADMIN))
    db.commit()
    db.expire_all()
    assert db.get(PrintJob, job_id) is None
    assert not any(p.exists() for p in copies)
    kept = db.get(Licence, new_licence_id)
    assert kept.status == LicenceStatus.ACTIVE
    assert kept.photo_file_id is None  # the photo was the holder's upload: it went too
    assert kept.encoding is None  # ... and so did the face encoding made from it
    assert db.get(Licence, other.id).encoding is not None  # not the registry's own photo


def test_identity_evidence_reads_as_words_and_local_times(client, walk, officer):
    """Issue 20, point 4: the evidence's times are in the officer's zone and its reasons in
    words (they read "2026-11-22T03:00:00+00:00" and "different_person")."""
    application = walk(AppState.IDENTITY_REVIEW)
    client.login(officer.email, DEFAULT_PASSWORD)
    page = client.get(f"/examiner/renewals/{application.public_id}").get_data(as_text=True)
    assert "<td>a different person</td>" in page
    assert "different_person</td>" not in page
    assert "+00:00" not in page
    assert "22 Nov 2026, 10.00.00 WIB" in page

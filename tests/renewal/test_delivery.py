"""Delivery in the right order (issue 19, point 6): pack -> label (courier booked) -> label
printed -> courier; the sender's return address and phone on the label; the courier's tracking
link; the card printed with the chosen address (the registry follows, audited); proxy pick-up
with the holder's authorisation; the ready-for-pick-up message; ratings in the service report."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.certificates import pdf_tools as pdf
from tests.conftest import DEFAULT_PASSWORD
from tests.renewal.conftest import COURIER, make_nik
from ujisim.certificates import print_documents
from ujisim.certificates.models import PrintJob
from ujisim.core import offices
from ujisim.core.audit import AuditRecord
from ujisim.core.errors import IllegalTransition
from ujisim.core.mail import OutboxMessage
from ujisim.core.security import Role
from ujisim.renewal import delivery, pickup, registry, report_sources, tracking
from ujisim.renewal.errors import InvalidDocument
from ujisim.renewal.models import AppState, Licence, OrderState

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL

PROXY_NIK = make_nik(date(1985, 6, 1))
STRANGER_NIK = make_nik(date(1970, 1, 2))


@pytest.fixture
def officer(make_user):
    return make_user(Role.EXAMINER, locale="en")


@pytest.fixture
def printed(db, walk):
    """A courier order whose card is printed (the print queue's hook is test_verification's)."""

    def make(method="courier"):
        application = walk(AppState.APPROVED, method=method)
        order = delivery.get_order(db, application)
        delivery.advance_order(db, order, OrderState.PRINTED, source="print")
        db.commit()
        return application, order

    return make


def _audits(db, action):
    return db.scalars(select(AuditRecord).where(AuditRecord.action == action)).all()


def _mails(db, user):
    return db.scalars(
        select(OutboxMessage).where(OutboxMessage.to == user.email).order_by(OutboxMessage.id)
    ).all()


# --- pack -> label -> printed -> courier -----------------------------------------------------


def test_a_card_is_labelled_only_once_packed(db, printed, officer):
    _application, order = printed()
    with pytest.raises(IllegalTransition):
        delivery.make_label(db, order, officer)
    db.rollback()
    db.refresh(order)
    assert (order.state, order.tracking_number) == (OrderState.PRINTED, None)  # nothing booked


def test_a_packed_card_is_not_handed_over_before_its_label_is_printed(db, printed, officer):
    _application, order = printed()
    delivery.advance_order(db, order, OrderState.PACKED, source="officer", actor=officer)
    with pytest.raises(IllegalTransition):  # no label at all
        delivery.hand_to_courier(db, order, officer)
    delivery.make_label(db, order, officer)
    assert order.state == OrderState.LABELLED
    assert order.tracking_number.startswith("SBX")
    with pytest.raises(IllegalTransition):  # labelled, but the label was never printed
        delivery.hand_to_courier(db, order, officer)
    delivery.record_label_printed(db, order, officer)
    delivery.record_label_printed(db, order, officer)  # a reprint: recorded once
    assert len(_audits(db, "delivery.label_printed")) == 1
    delivery.hand_to_courier(db, order, officer)
    assert order.state == OrderState.HANDED_TO_COURIER


def test_the_desk_walks_pack_label_print_hand_over(client, db, printed, officer):
    application, order = printed()
    client.login(officer.email, DEFAULT_PASSWORD)
    advance = f"/examiner/renewals/orders/{order.public_id}/advance"

    def post(to):
        db.expire_all()
        version = db.get(type(order), order.id).version
        return client.post(
            advance, data={"to": to, "version": version, "csrf_token": client.csrf_token()}
        )

    assert post("packed").status_code == 303
    refused = post("handed_to_courier")  # straight from packing: refused, flashed
    db.expire_all()
    assert db.get(type(order), order.id).state == OrderState.PACKED
    assert "label" in client.get(refused.location).get_data(as_text=True)
    post("labelled")
    post("handed_to_courier")  # label not printed yet
    db.expire_all()
    assert db.get(type(order), order.id).state == OrderState.LABELLED
    page = client.get(f"/examiner/renewals/{application.public_id}").get_data(as_text=True)
    label_url = f"/examiner/renewals/orders/{order.public_id}/label.pdf"
    assert f'href="{label_url}"' in page
    assert 'id="label-status"' in page
    assert client.get(label_url).status_code == 200
    post("handed_to_courier")
    db.expire_all()
    assert db.get(type(order), order.id).state == OrderState.HANDED_TO_COURIER


# --- the sender on the label -----------------------------------------------------------------


def test_offices_carry_return_address_phone_and_hours():
    records = offices.parse_office_records(
        "Satpas Polres Contoh | Jl. Bhayangkara No. 1, Kota Contoh 12345 | (021) 765 4321 "
        "| Senin-Jumat 08.00-15.00; Satpas Polda Metro Jaya; Satpas Polres Contoh"
    )
    assert records[0] == offices.Office(
        "Satpas Polres Contoh",
        "Jl. Bhayangkara No. 1, Kota Contoh 12345",
        "(021) 765 4321",
        "Senin-Jumat 08.00-15.00",
    )
    assert len(records) == 2  # a name given twice is kept once
    assert "Daan Mogot" in records[1].address
    assert records[1].phone
    assert records[1].hours
    defaults = offices.parse_office_records(None)
    assert [o.name for o in defaults] == list(offices.DEFAULT_OFFICES)
    assert all(o.address and o.phone and o.hours for o in defaults)


def test_the_label_carries_the_senders_return_address_and_phone(app, client, db, printed, officer):
    app.config["SATPAS_OFFICE_RECORDS"] = offices.parse_office_records(
        "Satpas Polrestabes Bandung | Jl. Jawa No. 9, Bandung 40117 | (022) 420 1234 | Senin"
    )
    _application, order = printed()  # the holder chose Satpas Polrestabes Bandung
    delivery.advance_order(db, order, OrderState.PACKED, source="officer", actor=officer)
    delivery.make_label(db, order, officer)
    db.commit()
    client.login(officer.email, DEFAULT_PASSWORD)
    label = client.get(f"/examiner/renewals/orders/{order.public_id}/label.pdf").get_data()
    words = pdf.text(label)
    for part in ("Satpas Polrestabes Bandung", "Jl. Jawa No. 9, Bandung 40117", "(022) 420 1234"):
        assert part in words
    assert [c.text for c in pdf.barcodes(label, pdf.CODE128, dpi=300)] == [order.tracking_number]
    db.expire_all()
    assert db.get(type(order), order.id).label_printed_at is not None  # opened = printed


# --- the courier's tracking link --------------------------------------------------------------


def test_the_tracking_link_reaches_the_holder_and_the_mail(
    app, client, db, printed, officer, holder, clock
):
    application, order = printed()
    assert tracking.tracking_link(order) is None  # nothing booked yet
    delivery.advance_order(db, order, OrderState.PACKED, source="officer", actor=officer)
    delivery.make_label(db, order, officer)
    delivery.record_label_printed(db, order, officer)
    delivery.hand_to_courier(db, order, officer)
    db.commit()
    link = tracking.tracking_link(order)
    assert link == f"http://localhost/perpanjangan/sandbox/kurir/{order.tracking_number}"
    assert link in _mails(db, holder)[-1].body
    client.login(holder.email, DEFAULT_PASSWORD)
    page = client.get(f"/perpanjangan/{application.public_id}/lacak").get_data(as_text=True)
    assert f'href="{link}"' in page
    # the courier's page is public by tracking number, as a courier's is: no name, no street
    anonymous = app.test_client()
    courier_page = anonymous.get(link.removeprefix("http://localhost")).get_data(as_text=True)
    assert order.tracking_number in courier_page
    assert courier_page.count("<li><time>") == 2  # labelled, handed over: this shipment's moves
    assert COURIER["city"] in courier_page
    assert holder.full_name not in courier_page
    assert COURIER["street"] not in courier_page
    assert anonymous.get("/perpanjangan/sandbox/kurir/SBX0000000000").status_code == 404


# --- the card's address and the registry --------------------------------------------------------


def test_the_card_carries_the_chosen_address_and_the_registry_follows(db, walk, licence):
    application = walk(AppState.APPROVED)
    new = db.get(Licence, application.new_licence_id)
    chosen = "Jl. Melati No. 5 RT 01/RW 02, Melawai, Kebayoran Baru, Jakarta Selatan"
    assert registry.card_address(application.address) == chosen
    assert new.address == chosen != licence.address
    card = print_documents.card_of(
        db, db.get(PrintJob, delivery.get_order(db, application).print_job_id)
    )
    assert card.address == chosen
    (changed,) = _audits(db, "renewal.address_changed")
    assert changed.object_id == licence.public_id
    assert (json.loads(changed.data)["old"], json.loads(changed.data)["new"]) == (
        licence.address,
        chosen,
    )


def test_a_pick_up_keeps_the_registry_address(db, walk, licence):
    application = walk(AppState.APPROVED, method="pickup")
    assert db.get(Licence, application.new_licence_id).address == licence.address
    assert _audits(db, "renewal.address_changed") == []


# --- proxy pick-up ---------------------------------------------------------------------------


@pytest.fixture
def ready(db, printed, officer):
    """A pick-up order ready at the counter."""

    def make():
        application, order = printed("pickup")
        delivery.advance_order(
            db, order, OrderState.READY_FOR_PICKUP, source="officer", actor=officer
        )
        db.commit()
        return application, order

    return make


def test_the_holder_names_a_proxy_and_bad_ones_are_refused(db, ready, holder):
    application, _order = ready()
    for name, nik, field in (
        ("Budi Santoso", holder.nik, "proxy_nik"),  # the holder's own
        ("Budi Santoso", "1234", "proxy_nik"),
        ("B", PROXY_NIK, "proxy_name"),
    ):
        with pytest.raises(InvalidDocument) as refused:
            pickup.name_proxy(db, application, name, nik, holder)
        assert field in refused.value.fields
        db.rollback()
    pickup.name_proxy(db, application, " Budi  Santoso ", PROXY_NIK, holder)
    assert (application.proxy_name, application.proxy_nik) == ("Budi Santoso", PROXY_NIK)
    (named,) = _audits(db, "renewal.proxy_named")
    assert json.loads(named.data)["new"] == {
        "name": "Budi Santoso",
        "nik": "*" * 12 + PROXY_NIK[-4:],
    }


def test_a_proxy_needs_the_surat_kuasa_and_a_stranger_is_refused(db, ready, holder, officer):
    application, order = ready()
    pickup.name_proxy(db, application, "Budi Santoso", PROXY_NIK, holder)
    with pytest.raises(InvalidDocument) as refused:
        pickup.hand_over_at_counter(db, order, officer, STRANGER_NIK, True)
    assert refused.value.fields == {"nik": "mismatch"}
    with pytest.raises(InvalidDocument) as refused:
        pickup.hand_over_at_counter(db, order, officer, PROXY_NIK, False)
    assert refused.value.fields == {"power_of_attorney": "required"}
    pickup.hand_over_at_counter(db, order, officer, PROXY_NIK, True)
    assert order.state == OrderState.PICKED_UP
    (handed,) = _audits(db, "delivery.handed_over")
    assert (json.loads(handed.data)["taken_by"], json.loads(handed.data)["name"]) == (
        "proxy",
        "Budi Santoso",
    )
    with pytest.raises(IllegalTransition):  # picked up: no proxy to name any more
        pickup.name_proxy(db, application, "Ani", make_nik(date(1991, 1, 1)), holder)


def test_a_courier_order_has_no_proxy(db, printed, holder):
    application, _order = printed()
    with pytest.raises(IllegalTransition):
        pickup.name_proxy(db, application, "Budi Santoso", PROXY_NIK, holder)


def test_the_counter_refuses_a_stranger_on_record(client, db, ready, holder, officer):
    application, order = ready()
    client.login(officer.email, DEFAULT_PASSWORD)
    url = f"/examiner/renewals/orders/{order.public_id}/pickup"
    response = client.post(
        url,
        data={"nik": STRANGER_NIK, "version": order.version, "csrf_token": client.csrf_token()},
    )
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "neither the holder" in page
    db.expire_all()
    assert db.get(type(order), order.id).state == OrderState.READY_FOR_PICKUP
    (refusal,) = _audits(db, "delivery.pickup_refused")  # kept although the request rolled back
    assert json.loads(refusal.data) == {"nik": "*" * 12 + STRANGER_NIK[-4:]}


def test_the_holder_names_the_proxy_on_the_tracking_page(client, db, ready, holder):
    application, _order = ready()
    client.login(holder.email, DEFAULT_PASSWORD)
    url = f"/perpanjangan/{application.public_id}/kuasa"
    token = client.csrf_token()
    bad = client.post(
        url,
        data={
            "proxy_name": "Budi",
            "proxy_nik": holder.nik,
            "version": application.version,
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422
    assert "your own NIK" in bad.get_data(as_text=True)
    db.expire_all()
    good = client.post(
        url,
        data={
            "proxy_name": "Budi Santoso",
            "proxy_nik": PROXY_NIK,
            "version": 99,
            "csrf_token": token,
        },
    )
    assert good.status_code == 303  # a stale page: refused (409, flashed), nothing named
    db.expire_all()
    current = db.get(type(application), application.id)
    assert current.proxy_nik is None
    client.post(
        url,
        data={
            "proxy_name": "Budi Santoso",
            "proxy_nik": PROXY_NIK,
            "version": current.version,
            "csrf_token": token,
        },
    )
    db.expire_all()
    assert db.get(type(application), application.id).proxy_nik == PROXY_NIK
    page = client.get(f"/perpanjangan/{application.public_id}/lacak").get_data(as_text=True)
    assert "the KTP of Budi Santoso (the proxy)" in page


def test_the_proxy_is_named_at_the_delivery_step(db, walk, holder):
    from ujisim.renewal import delivery_options
    from ujisim.renewal.forms import delivery_choice

    application = walk(AppState.DELIVERY)
    pick = {**COURIER, "method": "pickup", "proxy_name": "Budi Santoso", "proxy_nik": PROXY_NIK}
    delivery_options.choose_delivery(db, application, delivery_choice(pick), holder)
    assert (application.proxy_name, application.proxy_nik) == ("Budi Santoso", PROXY_NIK)


# --- the ready-for-pick-up message -------------------------------------------------------------


def test_ready_for_pickup_names_office_hours_and_what_to_bring(db, ready, holder):
    _application, _order = ready()
    body = _mails(db, holder)[-1].body
    office = offices.office("Satpas Polrestabes Bandung")
    for part in ("Satpas Polrestabes Bandung", office.hours, office.address, "your KTP"):
        assert part in body
    assert "your old SIM" in body


def test_the_proxys_message_lists_the_proxys_papers(db, ready, holder):
    application, order = ready()
    pickup.name_proxy(db, application, "Budi Santoso", PROXY_NIK, holder)
    message = tracking.pickup_instructions(application)
    for part in ("the KTP of Budi Santoso", "a copy of the holder's KTP", "surat kuasa"):
        assert part in message


# --- ratings in the service report -------------------------------------------------------------


def test_ratings_and_comments_in_the_service_report(
    client, db, walk, holder, make_user, make_licence, clock, login
):
    def complete(user, lic, rating, comment):
        application = walk(AppState.APPROVED, method="pickup", user=user, lic=lic)
        order = delivery.get_order(db, application)
        order.state = OrderState.PICKED_UP  # the counter is tested above
        db.flush()
        delivery.confirm_receipt(db, application, rating, comment, user)
        db.commit()

    complete(holder, None, 5, "Cepat, kartu sampai dalam 3 hari.")
    for n, (rating, comment) in enumerate([(4, ""), (2, "Antre lama di loket.")]):
        born = date(1980 + n, 2, 2)
        other = make_user(Role.APPLICANT, nik=make_nik(born), date_of_birth=born)
        complete(other, make_licence(other), rating, comment)
    day = clock().date()
    low, high = (
        clock() - timedelta(days=1),
        clock() + timedelta(days=1),
    )
    summary = report_sources.renewal_ratings(db, low, high)
    assert (summary.count, round(summary.mean, 2)) == (3, 3.67)
    assert summary.distribution == {5: 1, 4: 1, 3: 0, 2: 1, 1: 0}
    assert [c[2] for c in summary.comments] == [
        "Antre lama di loket.",
        "Cepat, kartu sampai dalam 3 hari.",
    ]
    login(Role.EXAMINER, locale="en")
    page = client.get(f"/examiner/reports/?from={day}&to={day}").get_data(as_text=True)
    section = page[page.index('id="ratings-renewal"') :]
    assert "3 ratings, mean 3.7 of 5" in section
    assert "Antre lama di loket." in section

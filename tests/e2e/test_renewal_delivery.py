"""Delivery in the right order in real Chromium (issue 19, point 6): an officer packs a courier
card, books the courier and makes the label, prints it, and only then hands the parcel over; the
holder follows it through the courier's tracking link. And a counter pick-up by the proxy the
holder named on the tracking page: a stranger's NIK and a proxy without the surat kuasa are
refused, the proxy with it takes the card. The application is brought to its approval by the
services (the pages before it are test_renewal.py's subject)."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import add_user
from tests.e2e.conftest import no_horizontal_scroll
from tests.e2e.renewal_support import sandbox_certificates
from tests.e2e.test_renewal import log_in, log_out
from tests.renewal import photos
from tests.renewal.conftest import COURIER, make_nik, photo_bytes
from ujisim.core.db import get_session
from ujisim.core.security import Role
from ujisim.renewal import application as apps
from ujisim.renewal import (
    delivery,
    delivery_options,
    documents,
    payments,
    registry,
    verification,
)
from ujisim.renewal.forms import delivery_choice
from ujisim.renewal.models import OrderState

pytestmark = pytest.mark.e2e
OFFICER = "petugas-loket@example.id"
PROXY_NIK = make_nik(date(1985, 6, 1))
STRANGER_NIK = make_nik(date(1970, 1, 2))


@pytest.fixture(scope="module")
def officer(live_app):
    with live_app.app_context():
        session = get_session()
        add_user(session, OFFICER, Role.EXAMINER, full_name="Petugas Loket", locale="en")
        session.commit()
    return OFFICER


def printed_card(live_app, email: str, born: date, number: str, method: str) -> str:
    """A holder ``email`` whose renewal (``method``) is approved and whose card is printed;
    the application's public id."""
    with live_app.app_context():
        session = get_session()
        nik = make_nik(born)
        holder = add_user(
            session,
            email,
            Role.APPLICANT,
            full_name="Rina Kartika",
            locale="en",
            nik=nik,
            date_of_birth=born,
        )
        approver = add_user(session, f"approver-{number}@example.id", Role.EXAMINER)
        today = date.today()
        registry.add_licence(
            session,
            number=number,
            licence_class="C",
            holder_nik=nik,
            holder_name="Rina Kartika",
            date_of_birth=born,
            address="Jl. Kenanga 3, Bandung",
            issued_on=today + timedelta(days=30) - timedelta(days=1826),
            expires_on=today + timedelta(days=30),
            satpas="Satpas Polrestabes Bandung",
            photo=photo_bytes("obama.jpg"),
        )
        session.commit()
        application = apps.start_application(session, holder, number, nik, born)
        documents.submit_documents(
            session,
            application,
            photo=photos.compliant(),
            signature=photos.signature(),
            **sandbox_certificates(nik, today, health_days=2, psych_days=30),
            actor=holder,
        )
        apps.record_identity_result(session, application, True, {"reason": "ok"})
        choice = delivery_choice({**COURIER, "method": method})
        delivery_options.choose_delivery(session, application, choice, holder)
        payments.sandbox_pay(session, payments.current_payment(session, application))
        verification.approve(session, application, approver)
        order = delivery.get_order(session, application)
        delivery.advance_order(session, order, OrderState.PRINTED, source="print")
        session.commit()
        return application.public_id


def test_pack_label_print_hand_over_and_the_holders_tracking_link(
    page, live_server, live_app, officer, shot, monkeypatch
):
    # links that leave the app are built on the public address: here, the live server's
    monkeypatch.setitem(live_app.config, "PUBLIC_URL", live_server)
    holder_email = "kurir-urut@example.id"
    public_id = printed_card(live_app, holder_email, date(1991, 5, 5), "320199990001", "courier")
    staff = page
    log_in(staff, live_server, OFFICER)
    staff.goto(f"{live_server}/examiner/renewals/{public_id}")
    staff.get_by_role("button", name="Card packed").click()
    expect(staff.locator("#order-state")).to_contain_text("Card packed")
    # no hand-over button before the label exists
    expect(staff.get_by_role("button", name="Hand to the courier")).to_have_count(0)
    staff.get_by_role("button", name="Book the courier and make the shipping label").click()
    expect(staff.locator("#order-state")).to_contain_text("Shipping label made")
    # handing over before the label was printed is refused
    staff.get_by_role("button", name="Hand to the courier").click()
    expect(staff.locator(".flash-error")).to_contain_text("Print the shipping label")
    expect(staff.locator("#order-state")).to_contain_text("Shipping label made")
    # the officer prints the label: the browser fetches the PDF with the officer's session
    label = staff.locator("#label")
    response = staff.context.request.get(f"{live_server}{label.get_attribute('href')}")
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    staff.reload()
    expect(staff.locator("#label-status")).to_contain_text("Label printed")
    staff.get_by_role("button", name="Hand to the courier").click()
    expect(staff.locator("#order-state")).to_contain_text("Handed to the courier")
    shot("officer")
    log_out(staff)

    log_in(staff, live_server, holder_email)
    staff.goto(f"{live_server}/perpanjangan/{public_id}/lacak")
    expect(staff.locator("#order-state")).to_have_text("Handed to the courier")
    link = staff.locator("#courier-link")
    expect(link).to_be_visible()
    with staff.context.expect_page() as opened:
        link.click()
    courier = opened.value
    expect(courier.locator("#shipment-state")).to_have_text("Handed to the courier")
    expect(courier.locator("h1")).to_contain_text("SBX")
    assert no_horizontal_scroll(staff)
    shot("holder")


def test_proxy_pick_up_at_the_counter(page, live_server, live_app, officer, shot):
    holder_email = "kuasa@example.id"
    public_id = printed_card(live_app, holder_email, date(1989, 9, 9), "320199990002", "pickup")
    staff = page
    log_in(staff, live_server, OFFICER)
    staff.goto(f"{live_server}/examiner/renewals/{public_id}")
    staff.get_by_role("button", name="Ready for pick-up at the Satpas").click()
    expect(staff.locator("#order-state")).to_contain_text("Ready for pick-up")
    log_out(staff)

    # the holder is told where, when and what to bring, and names a proxy
    log_in(staff, live_server, holder_email)
    staff.goto(f"{live_server}/perpanjangan/{public_id}/lacak")
    message = staff.locator("#pickup-message")
    expect(message).to_contain_text("Satpas Polrestabes Bandung")
    expect(message).to_contain_text("Senin-Jumat")
    expect(message).to_contain_text("your old SIM")
    staff.get_by_label("Full name of the proxy").fill("Budi Santoso")
    staff.get_by_label("NIK of the proxy (16 digits, on their KTP)").fill(PROXY_NIK)
    staff.get_by_role("button", name="Save the proxy").click()
    expect(staff.locator("#proxy-named")).to_contain_text("Budi Santoso")
    expect(staff.locator("#pickup-message")).to_contain_text("surat kuasa")
    assert no_horizontal_scroll(staff)  # 360 px: the message and the proxy form fit
    log_out(staff)

    log_in(staff, live_server, OFFICER)
    staff.goto(f"{live_server}/examiner/renewals/{public_id}")
    expect(staff.locator("#proxy")).to_contain_text("Budi Santoso")
    nik = staff.get_by_label("NIK on the ID card (KTP) presented")
    nik.fill(STRANGER_NIK)
    staff.get_by_role("button", name="Hand over the card").click()
    expect(staff.get_by_text("neither the holder's nor that of the proxy")).to_be_visible()
    nik.fill(PROXY_NIK)  # without the surat kuasa
    staff.get_by_role("button", name="Hand over the card").click()
    expect(staff.get_by_text("power of attorney (surat kuasa). Do not hand")).to_be_visible()
    expect(staff.locator("#order-state")).to_contain_text("Ready for pick-up")
    nik.fill(PROXY_NIK)
    staff.get_by_label("A proxy: I have seen the power of attorney", exact=False).check()
    staff.get_by_role("button", name="Hand over the card").click()
    expect(staff.locator("#order-state")).to_contain_text("Picked up")
    shot("counter")

"""A rejected paid renewal ends with a paid refund, in real Chromium (issue 19, point 5): the
officer rejects it, the payment provider's refund API takes the refund, the bank cannot pay into
the holder's account (sandbox webhook), the holder corrects the account on the tracking page, the
provider pays and the holder sees it paid."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import add_user
from tests.e2e.renewal_support import add_licence_expiring, sandbox_certificates
from tests.e2e.test_renewal import log_in, log_out
from tests.renewal import photos
from tests.renewal.conftest import make_nik, walk_to
from ujisim.core.db import get_session
from ujisim.core.mail import OutboxMessage
from ujisim.core.security import Role
from ujisim.renewal.models import AppState

pytestmark = pytest.mark.e2e
BORN = date(1985, 2, 3)
HOLDER, OFFICER = "refund-holder@example.id", "refund-officer@example.id"


@pytest.fixture(scope="module")
def paid(live_app):
    """A paid renewal of the holder's SIM A waiting for an officer; the officer."""
    with live_app.app_context():
        session = get_session()
        nik = make_nik(BORN)
        holder = add_user(
            session,
            HOLDER,
            Role.APPLICANT,
            full_name="Rina Kartika",
            locale="en",
            nik=nik,
            date_of_birth=BORN,
        )
        add_user(session, OFFICER, Role.EXAMINER, full_name="Petugas Refund", locale="en")
        expires = date.today() + timedelta(days=30)
        licence = add_licence_expiring(
            session,
            number="320198760001",
            nik=nik,
            name="Rina Kartika",
            born=BORN,
            expires=expires,
        )
        session.commit()
        today = date.today()
        docs = {
            "photo": photos.compliant(),
            "signature": photos.signature(),
            **sandbox_certificates(nik, today),
        }

        def second_officer():
            return add_user(session, "refund-approver@example.id", Role.EXAMINER)

        application = walk_to(session, AppState.PAID, holder, licence, docs, second_officer)
        return application.public_id


def refund_state(page):
    return page.locator("#refund-state")


def test_a_rejected_paid_renewal_ends_with_a_paid_refund(page, live_server, live_app, paid):
    detail = f"{live_server}/examiner/renewals/{paid}"
    track = f"{live_server}/perpanjangan/{paid}/lacak"

    log_in(page, live_server, OFFICER)
    page.goto(detail)
    page.get_by_label("Reason for rejection").select_option(label="Unclear documents")
    page.get_by_label("Note for the holder").fill("Tanda tangan tidak terbaca")
    page.get_by_role("button", name="Reject").click()
    # the provider took the refund request once the rejection committed
    expect(refund_state(page)).to_have_attribute("data-state", "requested")
    expect(refund_state(page)).to_contain_text("Rp 83.500")
    page.get_by_role("button", name="Refund failed (account closed)").click()
    expect(refund_state(page)).to_have_attribute("data-state", "failed")
    log_out(page)

    log_in(page, live_server, HOLDER)
    page.goto(track)
    expect(refund_state(page)).to_contain_text("the bank could not pay it")
    expect(page.get_by_text("SANDBOX: the account is closed")).to_be_visible()
    form = page.locator("#refund-account-form")
    form.get_by_label("Bank").select_option("BCA")
    form.get_by_label("Account number").fill("12")
    form.get_by_label("Account holder").fill("Rina Kartika")
    form.get_by_role("button", name="Pay the refund into this account").click()
    # a specific message, and nothing changed
    expect(page.get_by_text("Enter the account number: 6 to 20 digits.")).to_be_visible()
    expect(refund_state(page)).to_have_attribute("data-state", "failed")
    form.get_by_label("Bank").select_option("BCA")
    form.get_by_label("Account number").fill("5430 1234 56")
    form.get_by_label("Account holder").fill("Rina Kartika")
    form.get_by_role("button", name="Pay the refund into this account").click()
    expect(refund_state(page)).to_have_attribute("data-state", "requested")
    expect(page.locator("#refund-account-form")).to_have_count(0)
    log_out(page)

    log_in(page, live_server, OFFICER)
    page.goto(detail)
    page.get_by_role("button", name="Refund paid").click()
    expect(refund_state(page)).to_have_attribute("data-state", "paid")
    log_out(page)

    log_in(page, live_server, HOLDER)
    page.goto(track)
    expect(refund_state(page)).to_contain_text("paid into your account")

    with live_app.app_context():
        bodies = [
            m.body
            for m in get_session().scalars(
                select(OutboxMessage).where(OutboxMessage.to == HOLDER).order_by(OutboxMessage.id)
            )
        ]
    rejection = next(b for b in bodies if "Reason: Unclear documents." in b)
    assert "Tanda tangan tidak terbaca" in rejection
    assert "we pay back Rp 83.500" in rejection
    assert "Nothing more needs to be done" in bodies[-1]

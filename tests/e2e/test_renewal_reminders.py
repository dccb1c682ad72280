"""Reminders in real Chromium (issue 19, point 2): the daily run texts a holder whose SIM C I
expires in 30 days through the SMS/WhatsApp channel (the sandbox, which an administrator reads
on its page) and e-mails them; the link in the text opens the renewal at the public address,
where the holder starts it. A second run the same day sends nothing again."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.conftest import add_user
from tests.e2e.renewal_support import add_licence_expiring
from tests.e2e.test_renewal import log_in, log_out
from tests.renewal.conftest import make_nik
from ujisim.core.db import get_session
from ujisim.core.mail import OutboxMessage
from ujisim.core.security import Role
from ujisim.renewal import registry, reminders
from ujisim.renewal.models import SandboxMessage

pytestmark = pytest.mark.e2e
BORN = date(1992, 5, 17)
HOLDER, ADMIN = "pengingat@example.id", "admin-pengingat@example.id"
PHONE = "081298765432"


@pytest.fixture
def reminded(live_app, live_server, monkeypatch):
    """The holder (with a phone) and their SIM C I expiring in 30 days, an administrator; the
    day's reminders run twice, with links at the live server's address."""
    monkeypatch.setitem(live_app.config, "PUBLIC_URL", live_server)
    with live_app.app_context():
        session = get_session()
        nik = make_nik(BORN)
        add_user(session, ADMIN, Role.ADMIN, full_name="Admin Pengingat", locale="en")
        add_user(
            session,
            HOLDER,
            Role.APPLICANT,
            full_name="Wulan Sari",
            locale="en",
            nik=nik,
            date_of_birth=BORN,
            phone=PHONE,
        )
        today = registry.local_today()
        expires = today + timedelta(days=30)
        licence = add_licence_expiring(
            session,
            number="320155443322",
            nik=nik,
            name="Wulan Sari",
            born=BORN,
            expires=expires,
            licence_class="C1",
            address="Jl. Mawar 2, Bandung",
            photo=None,
        )
        session.commit()
        for _run in range(2):
            reminders.send_reminders(session, today)
            session.commit()
        texts = session.scalar(
            select(func.count()).select_from(SandboxMessage).where(SandboxMessage.to == PHONE)
        )
        mails = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.to == HOLDER, OutboxMessage.kind == "renewal_reminder")
        )
    return {"number": licence.number, "nik": nik, "texts": texts, "mails": mails}


def test_a_reminder_reaches_the_phone_once_and_its_link_starts_the_renewal(
    page, live_server, reminded
):
    assert (reminded["texts"], reminded["mails"]) == (1, 1)  # the second run sent nothing
    log_in(page, live_server, ADMIN)
    page.goto(f"{live_server}/admin/perpanjangan/sandbox-pesan")
    row = page.locator("#sandbox-messages tbody tr", has_text=PHONE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"SIM C I {reminded['number']}")
    text = row.locator("td").nth(2).inner_text()
    link = text[text.index(live_server) :].split()[0]
    log_out(page)

    log_in(page, live_server, HOLDER)
    page.goto(link)
    page.locator("#number").fill(reminded["number"])
    page.locator("#nik").fill(reminded["nik"])
    page.locator("#date_of_birth").fill(BORN.isoformat())
    page.locator("form[action='/perpanjangan/mulai'] button").click()
    expect(page.locator("#photo-rules")).to_be_visible()

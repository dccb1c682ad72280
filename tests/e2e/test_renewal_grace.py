"""Grace windows in real Chromium (issue 19, point 1, "done when"): an administrator adds a grace
window (a wrong class first, refused beside its field), publishes it; then a holder whose SIM
expired inside it starts an online renewal and is told the telegram and the window's last day.
The live server runs on the real clock, so the dates are set around today."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import add_user
from tests.e2e.renewal_support import add_licence_expiring
from tests.e2e.test_renewal import log_in, log_out
from tests.renewal.conftest import make_nik
from ujisim.core.db import get_session
from ujisim.core.security import Role
from ujisim.renewal import registry

pytestmark = pytest.mark.e2e
BORN = date(1991, 2, 3)
HOLDER, ADMIN = "dispensasi@example.id", "admin-dispensasi@example.id"
TELEGRAM = "ST/999/XII/YAN.1.1/2026"


@pytest.fixture(scope="module")
def people(live_app):
    """An administrator and a holder whose SIM A expired five days ago (pages in English)."""
    with live_app.app_context():
        session = get_session()
        nik = make_nik(BORN)
        add_user(session, ADMIN, Role.ADMIN, full_name="Admin Layanan", locale="en")
        add_user(
            session,
            HOLDER,
            Role.APPLICANT,
            full_name="Budi Santoso",
            locale="en",
            nik=nik,
            date_of_birth=BORN,
        )
        today = registry.local_today()
        expired = today - timedelta(days=5)
        licence = add_licence_expiring(
            session,
            number="320199887766",
            nik=nik,
            name="Budi Santoso",
            born=BORN,
            expires=expired,
            address="Jl. Anggrek 7, Bandung",
            photo=None,
        )
        session.commit()
        return {"nik": nik, "number": licence.number, "today": today}


def start(page, live_server, people):
    page.goto(f"{live_server}/perpanjangan/")
    page.locator("#number").fill(people["number"])
    page.locator("#nik").fill(people["nik"])
    page.locator("#date_of_birth").fill(BORN.isoformat())
    page.locator("form[action='/perpanjangan/mulai'] button").click()


def test_admin_publishes_a_grace_window_and_the_holder_renews(page, live_server, people, shot):
    today = people["today"]
    # before the window: the old refusal
    log_in(page, live_server, HOLDER)
    start(page, live_server, people)
    expect(page.locator("#start-error")).to_contain_text("An expired SIM cannot be renewed")
    log_out(page)

    log_in(page, live_server, ADMIN)
    page.goto(f"{live_server}/admin/perpanjangan/dispensasi")
    page.locator("#name").fill("Libur nasional Desember")
    page.locator("#expired_from").fill((today - timedelta(days=10)).isoformat())
    page.locator("#expired_until").fill((today - timedelta(days=2)).isoformat())
    page.locator("#renew_from").fill((today - timedelta(days=1)).isoformat())
    page.locator("#renew_until").fill((today + timedelta(days=10)).isoformat())
    page.locator("#telegram").fill(TELEGRAM)
    page.locator("#classes").fill("A, X")
    page.locator("#online").check()
    page.locator("#grace-form button[type=submit]").click()
    expect(page.locator("#classes-error")).to_contain_text("Unknown class: X")
    page.locator("#classes").fill("A, C")
    page.locator("#grace-form button[type=submit]").click()
    row = page.locator("#grace-windows tr", has_text="Libur nasional Desember")
    expect(row.locator(".status")).to_have_text("draft")
    expect(row).to_contain_text(TELEGRAM)
    row.get_by_role("button", name="Publish").click()
    expect(row.locator(".status")).to_have_text("published")
    shot("admin")
    log_out(page)

    log_in(page, live_server, HOLDER)
    start(page, live_server, people)
    expect(page.get_by_role("heading", name="Documents and declarations")).to_be_visible()
    last_day = today + timedelta(days=10)
    notice = page.locator(".flash", has_text=TELEGRAM)
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(f"{last_day.year}")
    expect(notice).to_contain_text(last_day.strftime("%B"))
    shot("holder")

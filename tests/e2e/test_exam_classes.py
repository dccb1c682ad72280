"""SIM C I in real Chromium (issue 19, point 8): a candidate without the 12 months of SIM C the
upgrade rule asks is refused on the start page with the missing SIM named; once the registry holds
a SIM C issued 13 months ago, the same candidate sits the C I exam, drawn from the C questions."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.test_exam_flow import add_applicant, confirm_identity, log_in
from ujisim.accounts.models import User
from ujisim.core.db import get_session
from ujisim.renewal import registry

pytestmark = pytest.mark.e2e
EMAIL = "motor-besar@example.id"
#: add_applicant's candidate: born 1 January 2000; a NIK whose birth date matches
NIK = "3174050101000077"


def choose_c_i(page, live_server):
    page.goto(f"{live_server}/ujian/")
    page.get_by_label("SIM C I (sepeda motor 250 sampai 500 cc", exact=False).check()
    confirm_identity(page)
    page.get_by_role("button", name="Mulai ujian baru").click()


def test_c_i_needs_a_sim_c_held_twelve_months(page, live_server, live_app):
    add_applicant(live_app, EMAIL, "Agus Salim")
    with live_app.app_context():
        session = get_session()
        user = session.scalars(select(User).where(User.email == EMAIL)).one()
        user.nik = NIK
        session.commit()
    log_in(page, live_server, EMAIL)
    choose_c_i(page, live_server)
    expect(page.get_by_text("SIM C I mensyaratkan SIM C yang masih berlaku")).to_be_visible()

    with live_app.app_context():
        session = get_session()
        issued = date.today() - timedelta(days=400)
        registry.add_licence(
            session,
            number="317400770001",
            licence_class="C",
            holder_nik=NIK,
            holder_name="Agus Salim",
            date_of_birth=date(2000, 1, 1),
            address="Jl. Merdeka 1, Makassar",
            issued_on=issued,
            expires_on=issued + timedelta(days=1826),
            satpas="Satpas Polrestabes Makassar",
        )
        session.commit()
    choose_c_i(page, live_server)
    page.get_by_role("button", name="Mulai ujian").click()
    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 30")

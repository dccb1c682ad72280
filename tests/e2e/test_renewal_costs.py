"""The costs of a renewal in real Chromium at 360 px: the holder takes the e-Rikkes and ePPsi
tests on the SANDBOX page (a "RIK-0001" of the right shape is refused first), sends the
documents with those numbers, chooses pick-up with the optional insurance, sees the itemised
bill (the tests shown as paid to their providers already) and how to tell the genuine virtual
account, answers the satisfaction survey and pays in the sandbox; an officer reads the survey's
results in the report. The camera identity check is passed by the service on the way (it is
test_renewal.py's subject)."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import add_user
from tests.e2e.renewal_support import add_licence_expiring
from tests.e2e.test_renewal import log_in, log_out
from tests.renewal import photos
from tests.renewal.conftest import make_nik
from ujisim.accounts.models import User
from ujisim.core.db import get_session
from ujisim.core.security import Role
from ujisim.renewal import application as apps
from ujisim.renewal.models import RenewalApplication

pytestmark = pytest.mark.e2e
BORN = date(1992, 1, 9)
HOLDER, OFFICER = "biaya@example.id", "petugas-biaya@example.id"


@pytest.fixture(scope="module")
def people(live_app):
    """A holder with a SIM C expiring in 40 days, and an officer (pages in English)."""
    with live_app.app_context():
        session = get_session()
        nik = make_nik(BORN)
        add_user(session, HOLDER, Role.APPLICANT, full_name="Rina Kartika", locale="en",
                 nik=nik, date_of_birth=BORN)  # fmt: skip
        add_user(session, OFFICER, Role.EXAMINER, full_name="Petugas Biaya", locale="en")
        expires = date.today() + timedelta(days=40)
        add_licence_expiring(
            session,
            number="357700001111",
            nik=nik,
            name="Rina Kartika",
            born=BORN,
            expires=expires,
            licence_class="C",
            address="Jl. Mawar 1, Surabaya",
            satpas="Satpas Polrestabes Surabaya",
        )
        session.commit()
        return {"nik": nik}


def take_test(page, live_server, kind: str) -> str:
    """The SANDBOX test page: take the ``kind`` test (fit, today); its certificate number."""
    page.goto(f"{live_server}/perpanjangan/sandbox/tes")
    expect(page.locator(".rn-sandbox").first).to_contain_text("SANDBOX")
    page.locator(f"input[name=kind][value={kind}]").check()
    page.get_by_role("button", name="Take the test (SANDBOX)").click()
    number = page.locator("#issued-number")
    expect(number).to_have_attribute("data-kind", kind)
    return number.inner_text()


def test_costs_survey_and_report(page, browser, live_server, live_app, people, tmp_path, shot):
    holder = page
    photo = tmp_path / "pasfoto.jpg"
    photo.write_bytes(photos.compliant())
    signature = tmp_path / "ttd.png"
    signature.write_bytes(photos.signature())

    log_in(holder, live_server, HOLDER)
    health_number = take_test(holder, live_server, "health")
    psych_number = take_test(holder, live_server, "psych")
    assert health_number.startswith("RKS-SBX-")
    assert psych_number.startswith("PSI-SBX-")

    holder.goto(f"{live_server}/perpanjangan/")
    holder.locator("#number").fill("357700001111")
    holder.locator("#nik").fill(people["nik"])
    holder.locator("#date_of_birth").fill(BORN.isoformat())
    holder.locator("form[action='/perpanjangan/mulai'] button").click()
    expect(holder.locator("#sandbox-tests-link")).to_be_visible()

    # a number of the right shape that the provider never issued: refused, typed values kept
    holder.locator("#photo").set_input_files(str(photo))
    holder.locator("#signature").set_input_files(str(signature))
    holder.locator("#health_number").fill("RIK-0001")
    holder.locator("#psych_number").fill(psych_number)
    holder.get_by_role("button", name="Send the documents").click()
    expect(holder.locator("#health_number-error")).to_contain_text(
        "e-Rikkes has no certificate with this number"
    )
    expect(holder.locator("#psych_number")).to_have_value(psych_number)
    holder.locator("#photo").set_input_files(str(photo))
    holder.locator("#signature").set_input_files(str(signature))
    holder.locator("#health_number").fill(health_number)
    holder.get_by_role("button", name="Send the documents").click()
    expect(holder.get_by_role("heading", name="Identity check")).to_be_visible()

    with live_app.app_context():
        session = get_session()
        user = session.scalars(select(User).where(User.email == HOLDER)).one()
        application = session.scalars(
            select(RenewalApplication).where(RenewalApplication.user_id == user.id)
        ).one()
        apps.record_identity_result(session, application, True, {"reason": "ok"})
        session.commit()
        public_id = application.public_id

    holder.goto(f"{live_server}/perpanjangan/{public_id}")
    preview = holder.locator("#cost-preview")
    expect(preview).to_contain_text("Rp 75.000")
    expect(preview).to_contain_text("Rp 35.000")
    expect(holder.locator("#insurance")).not_to_be_checked()
    holder.locator("#satpas").select_option("Satpas Polrestabes Surabaya")
    holder.locator("input[name=method][value=pickup]").check()
    holder.locator("#insurance").check()
    holder.locator("#refund_bank").select_option("BNI")
    holder.locator("#refund_number").fill("1234567890")
    holder.get_by_role("button", name="Continue to payment").click()

    # the bill: PNBP C + service + insurance in the VA; the tests shown as paid already
    bill = holder.locator("#bill")
    expect(bill).to_contain_text("PNBP (state fee) for renewing SIM C")
    expect(bill).to_contain_text("Delivery insurance (optional)")
    expect(holder.locator("#total")).to_have_text("Rp 110.000")  # 75.000 + 5.000 + 30.000
    expect(holder.locator("#va-amount")).to_have_text("Rp 110.000")
    paid = holder.locator("#paid-already")
    expect(paid).to_contain_text("Health test (e-Rikkes)")
    expect(paid).to_contain_text("Psychological test (ePPsi)")
    expect(paid).to_contain_text("not charged again")
    genuine = holder.locator("#genuine-va")
    expect(genuine).to_contain_text("starts with 7717")
    expect(genuine).to_contain_text("Korlantas Polri - Rina Kartika")
    expect(genuine).to_contain_text("personal account")
    shot("costs")

    # the survey: a few answers, the rest left out
    holder.locator("input[name=requirements][value='4']").check()
    holder.locator("input[name=behaviour][value='3']").check()
    holder.get_by_role("button", name="Send my answers").click()
    expect(holder.locator("#survey-done")).to_be_visible()
    expect(holder.locator("#survey-form")).to_have_count(0)

    holder.get_by_role("link", name="Pay in the SANDBOX").click()
    expect(holder.locator("#amount")).to_have_value("110000")
    holder.get_by_role("button", name="Pay (SANDBOX)").click()
    expect(holder.locator("#status")).to_have_text("Paid")
    log_out(holder)

    staff = browser.new_page()
    log_in(staff, live_server, OFFICER)
    # a period around today whatever the report's zone (WIB may be a day ahead of UTC)
    first, last = date.today() - timedelta(days=1), date.today() + timedelta(days=1)
    staff.goto(f"{live_server}/examiner/reports/?from={first}&to={last}")
    report = staff.locator("h2:has-text('Satisfaction survey (IKM)') + .table-wrap table")
    expect(report.locator("tr", has_text="U1. Requirements")).to_contain_text("4.00")
    expect(report.locator("tr", has_text="U7. Staff behaviour")).to_contain_text("3.00")
    expect(staff.get_by_text("IKM (25-100): 87.50")).to_be_visible()
    staff.close()

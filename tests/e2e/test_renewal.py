"""A whole SIM A renewal in real Chromium at 360 px: start -> documents -> the camera identity
check (a fake webcam plays the licence holder turning the head; the face is compared with the
licence photo on the server) -> courier delivery -> sandbox payment -> officer approval -> the
print shop marks the card printed on its page (the order moves at once) -> sandbox courier
statuses -> delivered -> receipt confirmed, the holder following the tracking page. And another
person failing the check three times (the first on the page, the others over its HTTP API): the
application goes to an officer."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD, add_user
from tests.e2e import test_proctoring as proctoring
from tests.e2e.renewal_support import add_licence_expiring
from tests.renewal import photos
from tests.renewal.conftest import make_nik
from ujisim.accounts.models import User
from ujisim.certificates.models import PrintJob
from ujisim.core.db import get_session
from ujisim.core.security import Role
from ujisim.renewal import application as apps
from ujisim.renewal import delivery, health
from ujisim.renewal.models import RenewalApplication

pytestmark = pytest.mark.e2e
BORN = date(1988, 8, 17)
#: the fake-webcam browser of the proctoring tests (Y4M of a registry photo turning the head)
camera, videos = proctoring.camera, proctoring.videos
HOLDER, OFFICER, SHOP = "perpanjang@example.id", "petugas@example.id", "cetak@example.id"


@pytest.fixture(scope="module")
def people(live_app):
    """The holder (with a SIM A expiring in 30 days), an officer and a print-shop user; the
    pages are in English so that the test reads the same before and after translation."""
    with live_app.app_context():
        session = get_session()
        nik = make_nik(BORN)
        for email, name, role, extra in [
            (HOLDER, "Dewi Lestari", Role.APPLICANT, {"nik": nik, "date_of_birth": BORN}),
            (OFFICER, "Petugas Satpas", Role.EXAMINER, {}),
            (SHOP, "Percetakan", Role.PRINT_SHOP, {}),
        ]:
            add_user(session, email, role, full_name=name, locale="en", **extra)
        expires = date.today() + timedelta(days=30)
        licence = add_licence_expiring(
            session,
            number="320112345678",
            nik=nik,
            name="Dewi Lestari",
            born=BORN,
            expires=expires,
            address="Jl. Kenanga 3, Bandung",
        )
        session.commit()
        return {"nik": nik, "number": licence.number}


def log_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.get_by_label("Surel (e-mail)").fill(email)
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("form[action='/logout']")).to_be_visible()


def log_out(page):
    page.locator("form[action='/logout'] button").click()


def current_application(live_app) -> RenewalApplication:
    with live_app.app_context():
        session = get_session()
        user = session.scalars(select(User).where(User.email == HOLDER)).one()
        return session.scalars(
            select(RenewalApplication).where(RenewalApplication.user_id == user.id)
        ).one()


@pytest.fixture
def holder_camera(camera):
    """The holder's phone-sized page; its camera shows the licence holder live, following the
    page's prompts."""
    return camera(person="obama.jpg")


def card_job(live_app, public_id) -> str:
    with live_app.app_context():
        session = get_session()
        order = delivery.get_order(session, apps.get_application(session, public_id))
        return session.get(PrintJob, order.print_job_id).public_id


def test_whole_renewal(holder_camera, page, live_server, live_app, people, tmp_path, shot):
    holder, staff = holder_camera, page
    photo = tmp_path / "pasfoto.jpg"
    photo.write_bytes(photos.compliant())
    signature = tmp_path / "ttd.png"
    signature.write_bytes(photos.signature())
    today = date.today()

    log_in(holder, live_server, HOLDER)
    holder.goto(f"{live_server}/perpanjangan/")
    holder.locator("#number").fill("3201-1234-5678")
    holder.locator("#nik").fill(people["nik"])
    holder.locator("#date_of_birth").fill(BORN.isoformat())
    holder.locator("form[action='/perpanjangan/mulai'] button").click()
    expect(holder.get_by_role("heading", name="Documents and declarations")).to_be_visible()

    # an expired health certificate first: refused beside the field, nothing kept
    with live_app.app_context():
        sandbox = health.provider("sandbox")
        old = sandbox.issue("health", people["nik"], issued_on=today - timedelta(days=20))
        fresh = sandbox.issue("health", people["nik"], issued_on=today - timedelta(days=1))
        psych = sandbox.issue("psych", people["nik"], issued_on=today - timedelta(days=40))
    holder.locator("#photo").set_input_files(str(photo))
    holder.locator("#signature").set_input_files(str(signature))
    holder.locator("#health_number").fill(old.number)
    holder.locator("#psych_number").fill(psych.number)
    holder.get_by_role("button", name="Send the documents").click()
    expect(holder.locator("#health_date-error")).to_contain_text("older than 14 days")
    holder.locator("#photo").set_input_files(str(photo))
    holder.locator("#signature").set_input_files(str(signature))
    holder.locator("#health_number").fill(fresh.number)
    holder.get_by_role("button", name="Send the documents").click()
    expect(holder.get_by_role("heading", name="Identity check")).to_be_visible()
    application = current_application(live_app)
    renewal_url = f"{live_server}/perpanjangan/{application.public_id}"

    # the camera identity check: consent first, then the live preview, then the head turns
    holder.locator("#consent-link").click()
    holder.locator("#consent-agree").click()
    expect(holder).to_have_url(renewal_url)
    expect(holder.locator("#identity-start")).to_be_enabled(timeout=60_000)
    assert holder.evaluate("document.getElementById('preview').videoWidth") == 640
    shot("identity")
    holder.locator("#identity-start").click()
    expect(
        holder.get_by_role("heading", name="How do you want to receive the new card?")
    ).to_be_visible(timeout=90_000)
    with live_app.app_context():
        evidence = apps.get_application(get_session(), application.public_id).evidence
    assert [e["passed"] for e in evidence] == [True]
    assert evidence[0]["reference"] == "licence"
    assert evidence[0]["liveness"]["passed"]

    # the office that issued the old card is chosen already; the holder moved to Surabaya
    expect(holder.locator("#satpas")).to_have_value("Satpas Polrestabes Bandung")
    holder.locator("#satpas").select_option("Satpas Polrestabes Surabaya")
    holder.locator("#province").select_option("Jawa Barat")
    holder.locator("#city").fill("Kota Bandung")
    holder.locator("#district").fill("Coblong")
    holder.locator("#village").fill("Dago")
    holder.locator("#street").fill("Jl. Kenanga 3 RT 02/RW 05")
    holder.locator("#postal_code").fill("40135")
    holder.locator("#phone").fill("081234567890")
    holder.locator("#refund_bank").select_option("BNI")
    holder.locator("#refund_number").fill("0987 6543 21")
    expect(holder.locator("#refund_holder")).not_to_be_empty()  # the holder's name, preset
    holder.get_by_role("button", name="Continue to payment").click()

    expect(holder.locator("#total")).to_have_text("Rp 103.000")  # 80.000 + 5.000 + 18.000
    expect(holder.locator(".rn-sandbox").first).to_be_visible()
    holder.get_by_role("button", name="Skip the survey").click()
    shot("payment")
    holder.get_by_role("link", name="Pay in the SANDBOX").click()
    holder.get_by_role("button", name="Pay (SANDBOX)").click()
    expect(holder.locator("#status")).to_have_text("Paid")
    track_url = f"{renewal_url}/lacak"

    log_in(staff, live_server, OFFICER)
    staff.goto(f"{live_server}/examiner/renewals/")
    staff.get_by_role("link", name="A 320112345678").first.click()
    expect(staff.locator("#photo-match")).to_contain_text("Photos match")
    staff.get_by_role("button", name="Approve and issue the new SIM").click()
    expect(staff.locator("#app-state")).to_contain_text("Approved")
    holder.goto(track_url)
    expect(holder.locator("#order-state")).to_have_text("Waiting for the card to be printed")
    log_out(staff)

    # the print shop marks the card printed on its page: the order moves on at once
    job = card_job(live_app, application.public_id)
    log_in(staff, live_server, SHOP)
    staff.goto(f"{live_server}/cetak/")
    staff.locator("#count").fill("1")
    staff.locator("#kind").select_option("card")
    staff.locator("#claim-form button[type=submit]").click()
    staff.locator(f"#held-jobs [data-job='{job}'] button.mark-printed").click()
    expect(staff.locator(f"#recent-jobs [data-job='{job}']")).to_be_visible()
    holder.reload()
    expect(holder.locator("#order-state")).to_have_text("Card printed")
    log_out(staff)

    log_in(staff, live_server, OFFICER)
    staff.goto(f"{live_server}/examiner/renewals/{application.public_id}")
    staff.get_by_role("button", name="Card packed").click()
    # the label before the courier (test_renewal_delivery.py walks the order's refusals)
    staff.get_by_role("button", name="Book the courier and make the shipping label").click()
    label = staff.locator("#label").get_attribute("href")
    assert staff.context.request.get(f"{live_server}{label}").body().startswith(b"%PDF")
    staff.reload()
    staff.get_by_role("button", name="Hand to the courier").click()
    expect(staff.locator("#order-state")).to_contain_text("Handed to the courier")
    holder.reload()
    expect(holder.locator("#order-state")).to_have_text("Handed to the courier")
    staff.get_by_role("button", name="On the way").click()
    expect(staff.locator("#order-state")).to_contain_text("On the way")
    holder.reload()
    expect(holder.locator("#order-state")).to_have_text("On the way")
    staff.get_by_role("button", name="Delivered", exact=True).click()
    expect(staff.locator("#order-state")).to_contain_text("Delivered")
    shot("officer")

    holder.reload()
    expect(holder.locator("#status")).to_have_text("Shipped")
    holder.get_by_label("5 — very satisfied").check()
    holder.get_by_role("button", name="I received my card").click()
    expect(holder.locator("#status")).to_have_text("Completed")
    timeline = holder.locator(".rn-timeline li")
    expect(timeline.filter(has_text="Delivered")).to_have_count(1)
    expect(timeline.filter(has_text="Handed to the courier")).to_contain_text("SBX")
    shot("done")
    with live_app.app_context():
        from ujisim.core.mail import OutboxMessage

        mails = get_session().scalars(select(OutboxMessage).where(OutboxMessage.to == HOLDER))
        assert len(mails.all()) >= 12  # one per status change


def test_another_person_fails_three_times_and_an_officer_takes_over(
    camera, live_server, live_app, people
):
    """Somebody else (Biden) at the camera for a holder whose licence photo is Obama's."""
    from ujisim.proctoring import consent
    from ujisim.renewal import documents

    born, email = date(1979, 4, 2), "bukan-saya@example.id"
    with live_app.app_context():
        session = get_session()
        user = add_user(session, email, full_name="Budi Santoso", locale="en",
                        nik=make_nik(born), date_of_birth=born)  # fmt: skip
        expires = date.today() + timedelta(days=45)
        licence = add_licence_expiring(
            session,
            number="320198765432",
            nik=user.nik,
            name=user.full_name,
            born=born,
            expires=expires,
            licence_class="C",
            address="Jl. Anggrek 9, Bandung",
        )
        application = apps.start_application(session, user, licence.number, user.nik, born)
        today = date.today()
        documents.submit_documents(
            session,
            application,
            photo=photos.compliant(),
            signature=photos.signature(),
            health_number=health.provider("sandbox")
            .issue("health", user.nik, issued_on=today - timedelta(days=1))
            .number,
            health_date=None,
            psych_number=health.provider("sandbox")
            .issue("psych", user.nik, issued_on=today - timedelta(days=10))
            .number,
            psych_date=None,
            actor=user,
        )
        consent.record_consent(session, user, locale="en", ip=None, user_agent=None)
        session.commit()
        public_id = application.public_id

    other = camera(person="biden.jpg")
    log_in(other, live_server, email)
    other.goto(f"{live_server}/perpanjangan/{public_id}")
    # the first try on the page: it says why it failed and how many tries are left
    status = other.locator("#identity-status")
    expect(other.locator("#identity-start")).to_be_enabled(timeout=60_000)
    other.locator("#identity-start").click()
    expect(status).to_have_attribute("data-decision", "failed", timeout=90_000)
    expect(status).to_have_attribute("data-reason", "different_person")
    expect(status).to_contain_text("did not match the photo on your SIM")
    expect(status).to_contain_text("Tries left: 2")
    expect(other.locator("#identity-retry")).to_be_visible()
    # the second and third tries over the page's HTTP API from the same session (the page's
    # part is proven by the first; tests/renewal/test_identity.py holds the rule)
    for left in (1, 0):
        _issued, answer = proctoring.try_over_http(other, live_app, "biden.jpg")
        assert (answer["decision"], answer["reason"]) == ("failed", "different_person"), answer
        assert answer["tries_left"] == left
    assert answer["identity"] == "escalated"
    # Try again on the page: the tries are used up, and the page goes where the application
    # now stands
    other.locator("#identity-retry").click()
    expect(other.locator("#identity-review")).to_be_visible()
    with live_app.app_context():
        found = apps.get_application(get_session(), public_id)
        assert found.state == "identity_review"
        assert [e["reason"] for e in found.evidence] == ["different_person"] * 3

"""The documents step in real Chromium (issue 19, point 3): the page shows the photo rules
before the upload; a photo with glasses and a signature on lined paper are refused with the
specific Indonesian advice beside each field and nothing is kept; the compliant photo moves the
holder on to the identity check; and the officer's verification page shows the checked photo
next to the registry's."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.conftest import add_user
from tests.e2e.renewal_support import add_licence_expiring, sandbox_certificates
from tests.e2e.test_renewal import log_in
from tests.renewal import photos
from tests.renewal.conftest import COURIER, make_nik
from ujisim.accounts.models import User
from ujisim.core.db import get_session
from ujisim.core.security import Role
from ujisim.renewal import application as apps
from ujisim.renewal import delivery_options, payments
from ujisim.renewal.forms import delivery_choice
from ujisim.renewal.models import RenewalApplication, RenewalDocument

pytestmark = pytest.mark.e2e
BORN = date(1991, 5, 9)
HOLDER, OFFICER = "pasfoto@example.id", "petugas-foto@example.id"


@pytest.fixture(scope="module")
def people(live_app):
    """A holder whose pages are in Indonesian (SIM A expiring in 30 days, Obama's photo on
    the record) and an officer."""
    with live_app.app_context():
        session = get_session()
        nik = make_nik(BORN)
        add_user(session, HOLDER, Role.APPLICANT, full_name="Rina Kartika", locale="id",
                 nik=nik, date_of_birth=BORN)  # fmt: skip
        add_user(session, OFFICER, Role.EXAMINER, full_name="Petugas Foto", locale="en")
        expires = date.today() + timedelta(days=30)
        licence = add_licence_expiring(
            session,
            number="320155501234",
            nik=nik,
            name="Rina Kartika",
            born=BORN,
            expires=expires,
        )
        session.commit()
        return {"nik": nik, "number": licence.number}


def stored_documents(live_app) -> int:
    with live_app.app_context():
        return get_session().scalar(select(func.count()).select_from(RenewalDocument))


def certificate_numbers(live_app, nik: str) -> tuple[str, str]:
    """The holder's own e-Rikkes and ePPsi numbers from the sandbox provider."""
    with live_app.app_context():
        found = sandbox_certificates(nik, date.today())
    return found["health_number"], found["psych_number"]


def fill_documents(page, photo, signature, certificates):
    today = date.today()
    page.locator("#photo").set_input_files(str(photo))
    page.locator("#signature").set_input_files(str(signature))
    page.locator("#health_number").fill(certificates[0])
    page.locator("#health_date").fill((today - timedelta(days=1)).isoformat())
    page.locator("#psych_number").fill(certificates[1])
    page.locator("#psych_date").fill((today - timedelta(days=20)).isoformat())
    page.locator("form[action$='/dokumen'] button[type=submit]").click()


def test_a_faulty_photo_is_refused_with_advice_then_a_good_one_goes_on(
    page, live_server, live_app, people, tmp_path, shot
):
    files = {
        "glasses.jpg": photos.jpeg(photos.glasses()),
        "lined.png": photos.png(photos.signature_image(lines=True)),
        "pasfoto.jpg": photos.compliant(),
        "ttd.png": photos.signature(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)

    log_in(page, live_server, HOLDER)
    page.goto(f"{live_server}/perpanjangan/")
    page.locator("#number").fill(people["number"])
    page.locator("#nik").fill(people["nik"])
    page.locator("#date_of_birth").fill(BORN.isoformat())
    page.locator("form[action='/perpanjangan/mulai'] button").click()
    expect(page.get_by_role("heading", name="Dokumen dan pernyataan")).to_be_visible()
    # the rules are on the page before anything is uploaded
    rules = page.locator("#photo-rules")
    expect(rules).to_be_visible()
    expect(rules).to_contain_text("Latar biru polos")
    expect(rules).to_contain_text("Tanpa kacamata")
    expect(page.locator("#signature-rules")).to_contain_text("Kertas putih polos")

    before = stored_documents(live_app)
    certificates = certificate_numbers(live_app, people["nik"])
    fill_documents(page, tmp_path / "glasses.jpg", tmp_path / "lined.png", certificates)
    photo_error = page.locator("#photo-error")
    expect(photo_error.locator("li[data-code='photo_glasses']")).to_contain_text(
        "Lepaskan kacamata"
    )
    expect(photo_error.locator("li")).to_have_count(1)
    expect(page.locator("#photo")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#signature-error li[data-code='signature_lined_paper']")).to_contain_text(
        "Kertas bergaris"
    )
    # the typed certificate numbers are kept, nothing is stored
    expect(page.locator("#health_number")).to_have_value(certificates[0])
    assert stored_documents(live_app) == before
    shot("refused")

    fill_documents(page, tmp_path / "pasfoto.jpg", tmp_path / "ttd.png", certificates)
    expect(page.get_by_role("heading", name="Pemeriksaan identitas")).to_be_visible()
    assert stored_documents(live_app) == before + 2

    # the camera check, delivery and payment through the services (their own tests cover the
    # pages); then the officer verifies the paid renewal
    with live_app.app_context():
        session = get_session()
        user = session.scalars(select(User).where(User.email == HOLDER)).one()
        application = session.scalars(
            select(RenewalApplication).where(RenewalApplication.user_id == user.id)
        ).one()
        apps.record_identity_result(session, application, True, {"reason": "ok"})
        choice = delivery_choice({**COURIER, "method": "courier"})
        delivery_options.choose_delivery(session, application, choice, user)
        payments.sandbox_pay(session, payments.current_payment(session, application))
        session.commit()
        public_id = application.public_id

    page.locator("form[action='/logout'] button").click()
    log_in(page, live_server, OFFICER)
    page.goto(f"{live_server}/examiner/renewals/{public_id}")
    new_photo = page.get_by_role("img", name="New photo")
    expect(new_photo).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=new_photo.element_handle()
    )
    # the photo the rules checked (600 x 800, as composed), not the refused one
    assert new_photo.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [600, 800]
    expect(page.get_by_role("img", name="Photo on the registered SIM")).to_be_visible()
    expect(page.locator("#photo-match")).to_contain_text("Photos match")
    shot("officer")

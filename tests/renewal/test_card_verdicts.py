"""A licence card's verdict (issue 20, point 3): the short code printed beside the QR on the back
of the card's print file gives the same verdict typed at /verify; the holder's photo on record
is shown to a logged-in examiner only, through its own route; a refused card token still says
"card". The print file is read back (tests/certificates/pdf_tools.py)."""

from __future__ import annotations

import re

import pytest

from tests.certificates import pdf_tools
from tests.certificates.test_verification import tampered
from tests.conftest import DEFAULT_PASSWORD
from ujisim.certificates import printing, qr_texts, signing
from ujisim.certificates.models import PrintJob
from ujisim.core.security import Role
from ujisim.renewal import delivery
from ujisim.renewal.models import AppState

JSON = {"Accept": "application/json"}


@pytest.fixture
def card_pdf(app, db, walk) -> bytes:
    """The print file of an approved renewal's card, as the print shop downloads it."""
    approved = walk(AppState.APPROVED)
    job = db.get(PrintJob, delivery.get_order(db, approved).print_job_id)
    with app.test_request_context():
        return printing.document_pdf(db, job)


def test_the_card_prints_the_code_beside_its_qr(app, db, card_pdf):
    back = " ".join(pdf_tools.text(card_pdf, 1).split())
    code = re.search(r"Verification code ([0-9A-Z]{5}-[0-9A-Z]{5})", back).group(1)
    assert "localhost/verify" in back
    (url,) = qr_texts(card_pdf, page=1, dpi=600)
    scanned = app.test_client().get(url.removeprefix("http://localhost"), headers=JSON)
    typed = app.test_client().get("/verify", query_string={"code": code}, headers=JSON)
    assert scanned.get_json()["status"] == typed.get_json()["status"] == "valid"
    assert typed.get_json()["card"]["name"] == "S. W."  # initials to an anonymous visitor


def test_a_card_holders_photo_is_for_a_logged_in_examiner_only(
    app, client, login, make_user, card_pdf
):
    (url,) = qr_texts(card_pdf, page=1, dpi=600)
    path = url.removeprefix("http://localhost")
    anonymous = app.test_client().get(path).get_data(as_text=True)
    assert f"{path}/foto" not in anonymous
    assert 'id="photo-note"' in anonymous
    assert app.test_client().get(f"{path}/foto").status_code == 302  # to the login
    applicant = app.test_client()
    assert applicant.login(make_user(Role.APPLICANT).email, DEFAULT_PASSWORD).status_code == 302
    assert applicant.get(f"{path}/foto").status_code == 403
    login(Role.EXAMINER)
    page = client.get(path).get_data(as_text=True)
    assert f'src="{path}/foto"' in page
    photo = client.get(f"{path}/foto")
    assert (photo.status_code, photo.mimetype) == (200, "image/jpeg")
    assert photo.data.startswith(b"\xff\xd8\xff")
    assert photo.headers["Cache-Control"] == "private, no-store"
    # a certificate has no photo
    assert client.get(f"{path[: -len(path.split('/')[-1])]}x.y/foto").status_code == 404


def test_a_refused_card_token_still_says_card(app, card_pdf):
    (url,) = qr_texts(card_pdf, page=1, dpi=600)
    forged = tampered(signing.token_from_url(url))
    page = app.test_client().get(f"/verify/{forged}").get_data(as_text=True)
    assert 'data-reason="tampered"' in page
    assert "<h1>Verifikasi kartu SIM</h1>" in page
    assert "sertifikat" not in page.split("<h1>")[1].split("</h1>")[0].lower()

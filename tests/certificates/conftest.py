"""Fixtures for the certificate renderers and tokens: keys, images, and signed documents."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image, ImageDraw

from ujisim.certificates import drawing, signing
from ujisim.core.documents import CardData, CertificateData, LabelData, mask_nik
from ujisim.core.secrets import SigningKey, _new_signing_key

BASE_URL = "https://ujisim.example.id/verify"


@pytest.fixture(scope="session")
def key() -> SigningKey:
    return SigningKey(_new_signing_key())


@pytest.fixture(scope="session")
def old_key() -> SigningKey:
    """A retired key whose public half is still published."""
    return SigningKey(_new_signing_key())


@pytest.fixture(scope="session")
def keys(key, old_key):
    return signing.public_keys(key, old_key)


def _jpeg(size=(600, 800), colour=(40, 90, 200)) -> bytes:
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse((w * 0.28, h * 0.19, w * 0.72, h * 0.59), fill=(230, 190, 160))
    draw.rectangle((w * 0.2, h * 0.65, w * 0.8, h), fill=(250, 250, 250))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture(scope="session")
def photo() -> bytes:
    """A passport-style photo (a drawn face on blue), 600 x 800 JPEG."""
    return _jpeg()


@pytest.fixture(scope="session")
def landscape_png() -> bytes:
    """A photo in the wrong shape and format: 900 x 500 PNG with transparency."""
    image = Image.new("RGBA", (900, 500), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((350, 50, 550, 450), fill=(200, 150, 120, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="session")
def signature_png() -> bytes:
    image = Image.new("RGBA", (400, 120), (0, 0, 0, 0))
    points = [(10, 90), (80, 20), (150, 100), (230, 30), (390, 80)]
    ImageDraw.Draw(image).line(points, fill=(0, 0, 80, 255), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def certificate_data() -> CertificateData:
    return CertificateData(
        candidate_name="Siti Nurhaliza Rahmawati",
        nik_masked=mask_nik("3174012501900001"),
        licence_class="A",
        score=27,
        total=30,
        passed_on=date(2026, 8, 17),
        exam_id="01JD3K4Q8Z8P5N6M7R8S9T0VWX",
    )


@pytest.fixture
def certificate(certificate_data, key) -> CertificateData:
    return signing.with_verification(certificate_data, key, BASE_URL)


@pytest.fixture
def make_card(photo, signature_png, key):
    """Signed cards; ``number`` makes each one distinct."""

    def make(number: int = 1, **changes) -> CardData:
        fields = dict(
            licence_number=f"1234-5678-{number:06d}",
            licence_class="C",
            name="Budi Santoso",
            place_of_birth="Makassar",
            date_of_birth=date(1990, 1, 25),
            address="Jl. Melati Raya No. 12 RT 003/RW 005, Kel. Cipete Selatan, Kec. Cilandak, "
            "Jakarta Selatan 12410",
            sex="L",
            issued_on=date(2026, 11, 22),
            expires_on=date(2031, 11, 22),
            issuing_office="Satpas Polres Metro Jakarta Selatan",
            photo=photo,
            blood_type="O",
            signature=signature_png,
        )
        fields.update(changes)
        return signing.with_verification(CardData(**fields), key, BASE_URL)

    return make


@pytest.fixture
def card(make_card) -> CardData:
    return make_card()


@pytest.fixture
def label() -> LabelData:
    return LabelData(
        recipient="Budi Santoso",
        street="Jl. Melati Raya No. 12 RT 003/RW 005",
        village="Cipete Selatan",
        district="Cilandak",
        city="Kota Jakarta Selatan",
        province="DKI Jakarta",
        postal_code="12410",
        phone="0812-3456-7890",
        tracking_number="RR123456789ID",
        sender_name="Satpas Polres Metro Jakarta Selatan",
        sender_address="Jl. Jend. Gatot Subroto No. 1, Jakarta Selatan 12190",
    )


@pytest.fixture
def missing_fonts(tmp_path, monkeypatch):
    """DejaVu Sans absent: the renderers fall back to Helvetica for this test only."""
    monkeypatch.setattr(drawing, "FONT_DIR", tmp_path)
    drawing.fonts.cache_clear()
    yield
    monkeypatch.undo()
    drawing.fonts.cache_clear()


# --- print queue ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def spec_checker():
    from tests.certificates.print_support import SpecChecker

    return SpecChecker()


@pytest.fixture
def admin(make_user):
    from ujisim.core.security import Role

    return make_user(Role.ADMIN, full_name="Admin Cetak")


@pytest.fixture
def make_station(db, admin):
    """``make_station(name)`` -> (station, token), committed."""
    from ujisim.certificates import stations

    def make(name: str = "Percetakan Sudirman"):
        station, token = stations.create_station(db, name, admin)
        db.commit()
        return station, token

    return make


@pytest.fixture
def api(client, make_station, spec_checker):
    """A station's API client; every response is checked against the OpenAPI document."""
    from tests.certificates.print_support import ApiClient

    station, token = make_station()
    client_ = ApiClient(client, token, spec_checker)
    client_.station = station
    return client_


@pytest.fixture
def card_jobs(db):
    """``card_jobs(n, start=1)``: n ready card jobs from plain card data, committed."""
    from tests.certificates.print_support import plain_card
    from ujisim.certificates.print_documents import enqueue_card

    def make(n: int, start: int = 1):
        jobs = [enqueue_card(db, plain_card(i)) for i in range(start, start + n)]
        db.commit()
        return jobs

    return make


@pytest.fixture
def passed_attempt(db, make_user, frozen_clock):
    """A SIM A theory exam passed with 25 of 30 by a candidate with a NIK (graded, committed)."""
    from tests.exam.conftest import answer_all, make_items
    from ujisim.core.security import Role
    from ujisim.exam import attempts, grading, policy
    from ujisim.question_bank import services

    services.import_contents(db, make_items())
    db.commit()
    candidate = make_user(
        Role.APPLICANT,
        nik="3174050507990003",
        full_name="Rina Wulandari",
        date_of_birth=date(1999, 7, 5),
    )
    attempt = attempts.create_attempt(db, candidate, policy.check_eligibility(db, candidate, "A"))
    attempts.advance(db, attempt, attempts.AttemptState.STARTED, candidate)
    db.commit()
    answer_all(db, attempt, correct=25)
    grading.submit(db, attempt, candidate)
    db.commit()
    return attempt

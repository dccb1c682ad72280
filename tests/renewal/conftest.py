"""Renewal fixtures: real images made with Pillow, face photos from registry packages
(tests/faces.py), a holder with a licence, and applications walked to any state through the
services themselves."""

from __future__ import annotations

import functools
import io
import itertools
import json
from datetime import date, timedelta

import numpy as np
import pytest
from PIL import Image

from tests.faces import face_photo
from tests.renewal import photos
from ujisim.core.security import Role
from ujisim.renewal import application as apps
from ujisim.renewal import (
    delivery_options,
    documents,
    health,
    payments,
    registry,
    verification,
)
from ujisim.renewal.forms import delivery_choice
from ujisim.renewal.models import AppState, LicenceStatus

#: FrozenClock's start is 2026-11-22 03:00 UTC, 10:00 WIB
TODAY = date(2026, 11, 22)
_serial = itertools.count(1)


def make_nik(born: date, female: bool = False) -> str:
    """A structurally valid NIK (Jakarta Selatan) for ``born`` with a fresh serial."""
    day = born.day + (40 if female else 0)
    return f"317405{day:02d}{born.month:02d}{born.year % 100:02d}{next(_serial) % 9999 + 1:04d}"


def image_bytes(fmt: str = "JPEG", size=(400, 500), color=(40, 90, 160), **save) -> bytes:
    """A real image with some structure (noise), so that it compresses like a photo."""
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 40, (size[1], size[0], 3), dtype=np.uint8) + np.array(
        color, dtype=np.uint8
    )
    out = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(out, fmt, **save)
    return out.getvalue()


@functools.cache
def photo_bytes(name: str, max_side: int = 800) -> bytes:
    """A test face photo as a JPEG at most ``max_side`` px (face detection is quicker)."""
    with Image.open(face_photo(name)) as im:
        im = im.convert("RGB")
        im.thumbnail((max_side, max_side))
        out = io.BytesIO()
        im.save(out, "JPEG", quality=92)
    return out.getvalue()


@functools.cache
def encoding_of(name: str) -> str:
    return json.dumps(registry.face_encoding_of(photo_bytes(name)))


@pytest.fixture(scope="session")
def signature_png() -> bytes:
    """A signature the signature rules accept: dark ink on white paper, cropped close."""
    return photos.signature()


@pytest.fixture(autouse=True)
def english(app):
    """Messages in English, so the assertions hold once the Indonesian catalogue is compiled
    (pages: the holder's account is set to English)."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@pytest.fixture
def clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def holder(make_user):
    """An applicant with a NIK and birth date (the licence below belongs to them)."""
    born = date(1990, 3, 14)
    return make_user(
        Role.APPLICANT,
        nik=make_nik(born),
        date_of_birth=born,
        full_name="Sari Wulandari",
        locale="en",
    )


@pytest.fixture
def make_licence(db):
    """A licence for ``user``; ``photo`` names a test face photo (its encoding is cached)."""

    def make(user, *, expires_in_days: int = 30, photo: str | None = "obama.jpg", **fields):
        expires = TODAY + timedelta(days=expires_in_days)
        values = {
            "number": f"{next(_serial):012d}",
            "licence_class": "A",
            "holder_nik": user.nik,
            "holder_name": user.full_name,
            "date_of_birth": user.date_of_birth,
            "address": "Jl. Melati No. 5, Jakarta Selatan",
            "issued_on": expires - timedelta(days=5 * 365),
            "expires_on": expires,
            "satpas": "Satpas Polda Metro Jaya",
            "status": LicenceStatus.ACTIVE,
            **fields,
        }
        licence = registry.add_licence(db, **values)
        if photo:
            licence.photo_encoding = encoding_of(photo)
        db.commit()
        return licence

    return make


@pytest.fixture
def licence(clock, holder, make_licence):
    return make_licence(holder)


@pytest.fixture
def certificates(app):
    """``certificates(user)``: an e-Rikkes and an ePPsi certificate of ``user``'s NIK from the
    sandbox provider (2 and 30 days old, fit), as the documents step takes them."""

    def issue(user, *, health_days: int = 2, psych_days: int = 30, **kinds) -> dict:
        sandbox = health.provider("sandbox")
        found = {}
        for kind, days in (("health", health_days), ("psych", psych_days)):
            made = sandbox.issue(
                kind, user.nik, issued_on=TODAY - timedelta(days=days), **kinds.get(kind, {})
            )
            found[f"{kind}_number"], found[f"{kind}_date"] = made.number, made.issued_on
        return found

    return issue


@pytest.fixture
def docs(signature_png, holder, certificates):
    """Valid documents for submit_documents: a passport-style photo of the licence's holder
    that the photo rules accept (tests/renewal/photos.py), a signature, and the holder's own
    sandbox certificates."""
    return {
        "photo": photos.compliant(),
        "signature": signature_png,
        **certificates(holder),
    }


COURIER = {
    "province": "DKI Jakarta",
    "city": "Jakarta Selatan",
    "district": "Kebayoran Baru",
    "village": "Melawai",
    "street": "Jl. Melati No. 5 RT 01/RW 02",
    "postal_code": "12160",
    "phone": "0812 3456 7890",
    "satpas": "Satpas Polrestabes Bandung",
    "refund_bank": "BRI",
    "refund_number": "0123-01-000123-50-1",
    "refund_holder": "Sari Wulandari",
}


#: where each provider posts its signed events
WEBHOOK_URLS = {"payment": "/payments/webhook", "courier": "/courier/webhook"}


def post_webhook(client, kind: str, body: bytes, headers: dict):
    """``body`` posted as JSON to the ``kind`` provider's webhook with ``headers``."""
    return client.post(
        WEBHOOK_URLS[kind], data=body, headers={**headers, "Content-Type": "application/json"}
    )


@pytest.fixture
def walk(db, clock, holder, licence, docs, certificates, make_user, face_work_once):
    """``walk(state)``: a fresh application of ``holder`` moved to ``state`` by the services.
    The documents' photo is encoded once per worker (``face_work_once``): the face match of a
    document photo is test_documents' subject, not the walk's."""

    def to(state: AppState, *, method: str = "courier", user=None, lic=None):
        user, lic = user or holder, lic or licence
        own = docs if user is holder else {**docs, **certificates(user)}
        return walk_to(db, state, user, lic, own, lambda: make_user(Role.EXAMINER), method)

    return to


def walk_to(db, state: AppState, user, lic, docs, new_officer, method: str = "courier"):
    """A fresh application of ``user`` for ``lic`` moved to ``state`` by the services, committed
    (the ``walk`` fixture; browser tests call it in the live app's context)."""
    app = apps.start_application(db, user, lic.number, user.nik, user.date_of_birth)
    if state == AppState.DOCUMENTS:
        return _done(db, app)
    documents.submit_documents(db, app, actor=user, **docs)
    if state == AppState.IDENTITY:
        return _done(db, app)
    if state == AppState.IDENTITY_REVIEW:
        for _n in range(apps.MAX_IDENTITY_TRIES):
            apps.record_identity_result(db, app, False, {"reason": "different_person"})
        return _done(db, app)
    apps.record_identity_result(db, app, True, {"reason": "ok", "distance": 0.35})
    if state == AppState.DELIVERY:
        return _done(db, app)
    choice = delivery_choice({**COURIER, "method": method})
    delivery_options.choose_delivery(db, app, choice, user)
    if state == AppState.PAYMENT:
        return _done(db, app)
    payments.sandbox_pay(db, payments.current_payment(db, app))
    if state == AppState.PAID:
        return _done(db, app)
    verification.approve(db, app, new_officer())
    return _done(db, app)


def _done(db, app):
    db.commit()
    db.refresh(app)
    return app


@pytest.fixture
def unpaid(walk):
    """An application waiting for its payment."""
    return walk(AppState.PAYMENT)


@pytest.fixture
def account(db, unpaid):
    """Its virtual account."""
    return payments.current_payment(db, unpaid)

"""The people and records the accessibility test (test_axe.py) visits pages with, made in the
live app's database through the services: a member of staff holding every staff role, one exam
candidate per browser (each starts its own exam on the page), a candidate with a proctoring case
before the identity check, a renewal at every step, a passed exam's certificate token, a
password-reset token, a grace window and a card in the print queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from tests.certificates.print_support import plain_card
from tests.conftest import add_user
from tests.e2e.renewal_support import add_licence_expiring, sandbox_certificates
from tests.exam.conftest import answer_all
from tests.faces import memoise_face_work
from tests.renewal import photos
from tests.renewal.conftest import make_nik, photo_bytes, walk_to
from ujisim.accounts.services import make_reset_token
from ujisim.certificates import certificate_data, get_pass_record, signing
from ujisim.certificates.print_documents import enqueue_card
from ujisim.core.db import get_session
from ujisim.core.secrets import signing_key
from ujisim.core.security import Role
from ujisim.exam import attempts, grading, policy
from ujisim.proctoring import checks, consent, reference
from ujisim.renewal import application as apps
from ujisim.renewal import closures, delivery
from ujisim.renewal.models import OPEN_STATES, AppState, OrderState

STAFF_ROLES = (Role.EXAMINER, Role.ADMIN, Role.PRINT_SHOP)
#: the renewal steps whose pages a holder sees (the open states), each a holder of its own
RENEWAL_STEPS = OPEN_STATES


@dataclass
class Site:
    """E-mail addresses to log in with and the ids the pages with arguments take."""

    staff: str = ""
    #: per browser (its key): the candidate, their passed SIM C exam and an unstarted SIM A one
    candidates: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: the candidate whose SIM A exam waits for the identity check, and that attempt
    proctored: tuple[str, str] = ("", "")
    #: renewal step -> (holder's e-mail, application public id)
    renewals: dict[AppState, tuple[str, str]] = field(default_factory=dict)
    tracking_number: str = ""
    grace_window: str = ""
    certificate_token: str = ""
    reset_token: str = ""
    applicant_id: str = ""
    item_code: str = ""


def build(live_app, browsers: list[str]) -> Site:
    """Everything the pages need, committed in the live app's database."""
    site = Site()
    with live_app.app_context(), pytest.MonkeyPatch.context() as patch:
        memoise_face_work(patch)  # the documents' photo is read once per worker
        session = get_session()
        today = date.today()
        staff = add_user(session, "axe-staff@example.id", *STAFF_ROLES, full_name="Staf Uji")
        site.staff = staff.email
        for key in browsers:
            site.candidates[key] = _candidate(session, f"axe-ujian-{key}@example.id")
        first_email, passed_id, _created = site.candidates[browsers[0]]
        attempt = attempts.get_attempt(session, passed_id)
        record = get_pass_record(session, attempt.id)
        site.certificate_token = signing.sign(certificate_data(session, record), signing_key())
        candidate = session.get(type(staff), attempt.user_id)
        site.reset_token = make_reset_token(candidate)
        site.applicant_id = candidate.public_id

        email = "axe-pengawasan@example.id"
        user = add_user(session, email, date_of_birth=date(1999, 2, 2), full_name="Ayu Lestari")
        consent.record_consent(session, user, locale="id", ip="127.0.0.1", user_agent="axe")
        reference.set_reference_photo(session, user, photo_bytes("obama.jpg"), "registration")
        waiting = attempts.create_attempt(
            session, user, policy.check_eligibility(session, user, "A"), "Satpas Polres Bogor"
        )
        checks.ensure_case(session, waiting)
        site.proctored = (email, waiting.public_id)
        session.commit()

        for n, step in enumerate(RENEWAL_STEPS):
            site.renewals[step] = _renewal(session, n, step, staff, today)
        approved = apps.get_application(session, site.renewals[AppState.APPROVED][1])
        order = delivery.get_order(session, approved)
        delivery.advance_order(session, order, OrderState.PRINTED, source="print")
        delivery.advance_order(session, order, OrderState.PACKED, source="officer", actor=staff)
        order = delivery.make_label(session, order, staff)
        site.tracking_number = order.tracking_number

        window = closures.add_window(
            session,
            staff,
            name="Lebaran (uji aksesibilitas)",
            closed_from=today + timedelta(days=100),
            closed_until=today + timedelta(days=105),
            expired_from=today + timedelta(days=100),
            expired_until=today + timedelta(days=110),
            renew_from=today + timedelta(days=106),
            renew_until=today + timedelta(days=120),
            telegram="ST/1/IV/YAN.1.1/2026",
            classes="A,C",
            online=True,
            counter=True,
            source="",
        )
        site.grace_window = window.public_id
        enqueue_card(session, plain_card(7070, name="Wulan Sari"))
        site.item_code = attempts.item_codes(session, attempt)[0]
        session.commit()
    return site


def _candidate(session, email: str) -> tuple[str, str, str]:
    """A candidate who passed SIM C and has a SIM A exam waiting to start."""
    born = date(2000, 1, 1)
    user = add_user(
        session, email, nik=make_nik(born), date_of_birth=born, full_name="Rudi Hartono"
    )
    passed = attempts.create_attempt(
        session, user, policy.check_eligibility(session, user, "C"), "Satpas Polres Bogor"
    )
    attempts.advance(session, passed, attempts.AttemptState.STARTED, user)
    session.commit()
    answer_all(session, passed, correct=30)
    grading.submit(session, passed, user)
    waiting = attempts.create_attempt(
        session, user, policy.check_eligibility(session, user, "A"), "Satpas Polres Bogor"
    )
    session.commit()
    return email, passed.public_id, waiting.public_id


def _renewal(session, n: int, step: AppState, officer, today: date) -> tuple[str, str]:
    """A holder whose SIM A expires in 30 days and whose application is at ``step``."""
    born = date(1980 + n, 3, 3)
    email = f"axe-sim-{n}@example.id"
    nik = make_nik(born)
    user = add_user(session, email, nik=nik, date_of_birth=born, full_name=f"Sari Wulandari {n}")
    licence = add_licence_expiring(
        session,
        number=f"32019900{n:04d}",
        nik=nik,
        name=user.full_name,
        born=born,
        expires=today + timedelta(days=30),
    )
    session.commit()
    docs = {
        "photo": photos.compliant(),
        "signature": photos.signature(),
        **sandbox_certificates(nik, today, health_days=2, psych_days=30),
    }
    application = walk_to(session, step, user, licence, docs, lambda: officer)
    return email, application.public_id

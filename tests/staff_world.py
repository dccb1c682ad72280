"""A realistic world for the staff pages' sweeps (tests/test_staff_labels.py): the bank with
items in every state, exams in every state (graded, regraded, voided, paused, ...), proctoring
cases with browser events, snapshots, failed identity tries, an escalated identity and every
review status, renewals in several states with a payment, a refund and delivery orders, print
jobs ready, claimed, printed and failed, stations, grace windows, mail and the audit records
all of this wrote. Everything goes through the services, as the app itself would; only what a
browser or a camera would have sent (snapshot analyses, identity tries) is written as rows."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

from tests.certificates.print_support import plain_card
from tests.exam.conftest import answer_all, make_items
from tests.proctoring.conftest import SETUP_CHALLENGE
from tests.renewal import photos
from tests.renewal.conftest import TODAY, encoding_of, make_nik, walk_to
from ujisim.certificates import print_queue, stations
from ujisim.certificates.print_documents import enqueue_card
from ujisim.core import clock, mail
from ujisim.core.security import Role
from ujisim.exam import attempts, grading, policy
from ujisim.exam.models import AttemptState
from ujisim.proctoring import checks, consent, observations, reference, review
from ujisim.proctoring.models import IdentityCheck, Observation
from ujisim.question_bank import authoring_services, services
from ujisim.question_bank.content import ItemContent, Option
from ujisim.renewal import closures, delivery, health, registry, verification
from ujisim.renewal.models import AppState, LicenceStatus, OrderState

BORN = date(1999, 7, 5)
#: the movements a try's analysis saw (action, from ms, to ms)
SEEN = [["turn_left", 900, 2100], ["blink", 3400, 4300]]


def build(db, make_user) -> dict:
    """Every kind of staff data, committed; the objects the sweeps start from by name, and
    ``staff``: a user of each staff role who took part (by role)."""
    world = {"examiner": make_user(Role.EXAMINER, full_name="Penguji Kedua")}
    # stems that name no code (make_items' name their category)
    items = [
        replace(
            i,
            stem=f"Soal {i.code}: apa yang benar?",
            en=replace(i.en, stem=f"Question {i.code}: what is right?"),
        )
        for i in make_items()
    ]
    services.import_contents(db, items)
    db.commit()
    world |= _bank(db, make_user)
    world |= _exams(db, make_user, world["examiner"])
    world |= _proctoring(db, make_user, world["examiner"])
    world |= _renewals(db, make_user)
    world |= _printing(db, make_user)
    _grace_and_mail(db)
    db.commit()
    world["staff"] = {
        Role.EXAMINER: world["examiner"],
        Role.ADMIN: world["admin"],
        Role.PRINT_SHOP: world["shop"],
    }
    return world


def _content(code: str, stem: str) -> ItemContent:
    return ItemContent(
        code=code,
        classes=("A", "C"),
        category="wawasan",
        topic="perilaku_etika",
        stem=stem,
        options=(
            Option("Mengurangi kecepatan", True),
            Option("Menambah kecepatan"),
            Option("Membunyikan klakson"),
            Option("Berhenti mendadak"),
        ),
        explanation="Penjelasan singkat.",
        legal_basis="UU 22/2009 Pasal 106",
        difficulty=2,
    )


def _bank(db, make_user) -> dict:
    """Items drafted, in review, returned, superseded and retired beside the active ones."""
    author = make_user(Role.EXAMINER, full_name="Penulis Soal")
    reviewer = make_user(Role.EXAMINER, full_name="Penelaah Soal")
    draft = authoring_services.create_item(db, _content("WW-901", "Soal draf?"), author=author)
    in_review = authoring_services.create_item(
        db, _content("WW-902", "Soal telaah?"), author=author
    )
    authoring_services.submit_for_review(db, in_review, actor=author)
    returned = authoring_services.create_item(
        db, _content("WW-903", "Soal kembali?"), author=author
    )
    authoring_services.submit_for_review(db, returned, actor=author)
    authoring_services.return_for_changes(db, returned, reviewer=reviewer, comment="Perjelas.")
    edited = services.get_item(db, "WW-001")
    authoring_services.edit_item(db, edited, _content("WW-001", "Soal diperbaiki?"), author=author)
    authoring_services.submit_for_review(db, edited, actor=author)
    authoring_services.approve(db, edited, reviewer=reviewer, comment="Baik.")
    authoring_services.retire(db, services.get_item(db, "WW-002"), actor=reviewer, comment="Usang.")
    db.commit()
    return {"items": [draft.code, in_review.code, returned.code, "WW-001", "WW-002"]}


def _candidate(make_user, n: int):
    born = BORN + timedelta(days=n)
    return make_user(Role.APPLICANT, nik=make_nik(born), date_of_birth=born)


def _attempt(db, user, to: AttemptState | None = AttemptState.STARTED):
    attempt = attempts.create_attempt(db, user, policy.check_eligibility(db, user, "A"))
    if to is not None:
        attempts.advance(db, attempt, AttemptState.STARTED, user)
    if to not in (None, AttemptState.STARTED):
        attempts.advance(db, attempt, to, user)
    db.commit()
    return attempt


def _exams(db, make_user, examiner) -> dict:
    """An exam in each state; graded ones passed and failed, one regraded, one voided."""
    graded = []
    for n, correct in enumerate((27, 22, 12)):
        attempt = _attempt(db, _candidate(make_user, n))
        answer_all(db, attempt, correct=correct)
        grading.submit(db, attempt)
        db.commit()
        graded.append(attempt)
    grading.regrade(db, graded[1], actor=examiner, reason="Kunci WW-001 diperbaiki")
    voided = _attempt(db, _candidate(make_user, 3))
    grading.void(db, voided, actor=examiner, reason="Peserta membawa catatan")
    others = {
        state: _attempt(db, _candidate(make_user, 4 + n), state)
        for n, state in enumerate(
            (None, AttemptState.STARTED, AttemptState.PAUSED, AttemptState.SUBMITTED,
             AttemptState.TIMED_OUT)
        )
    }  # fmt: skip
    db.commit()
    return {"attempts": [*graded, voided, *others.values()]}


def _case(db, make_user, n: int):
    user = _candidate(make_user, 20 + n)
    consent.record_consent(db, user, locale="id", ip=None, user_agent=None)
    reference.set_reference_photo(db, user, photos.compliant(), source=reference.SOURCES[n % 2])
    attempt = _attempt(db, user, None)
    case = checks.ensure_case(db, attempt)
    return user, attempt, case


def _tries(db, case, user, reasons):
    """Identity tries decided as the camera's bursts were (the decision path of
    checks.decide after the analysis; "ok" passes)."""
    for n, reason in enumerate(reasons, start=1):
        check = IdentityCheck(
            case_id=case.id, round=1, try_number=n, issued_at=clock.now(), tolerance=0.6,
            challenge_json=SETUP_CHALLENGE.to_json(), matched=4 if reason == "ok" else 1,
            usable=6, share=0.67 if reason == "ok" else 0.17,
            liveness_json=json.dumps({"reason": reason, "events": SEEN}),
        )  # fmt: skip
        db.add(check)
        db.flush()
        if reason == "ok":
            checks._pass(db, case, check, user)
        else:
            checks._fail(db, case, check, reason, user)
            checks._weigh_failure(db, case, check, reason)


def _snapshot(db, case, trigger: str, status: str, finding: str | None):
    db.add(
        Observation(
            case_id=case.id, kind="snapshot", event_type=trigger, at=clock.now(), status=status,
            finding=finding, flagged=finding not in (None, "ok"), distance=0.71,
            tolerance=0.6, analysed_at=clock.now() if status == "done" else None,
        )
    )  # fmt: skip
    db.flush()


def _proctoring(db, make_user, examiner) -> dict:
    """Cases: escalated after three failed tries, one with a second review asked, one voided,
    one cleared; browser events and snapshots on their timelines."""
    cases = []
    for n in range(4):
        user, attempt, case = _case(db, make_user, n)
        if n == 0:  # three failed tries: escalated to the examiners
            _tries(db, case, user, ("still", "different_person", "missing_action"))
        else:
            _tries(db, case, user, ("no_face", "ok"))
            attempts.advance(db, attempt, AttemptState.STARTED, user)
            for event in observations.EVENT_TYPES:
                observations.record_event(db, case, event, client_at=clock.now().isoformat())
            _snapshot(db, case, "interval", "done", "ok")
            _snapshot(db, case, "tab_hidden", "done", "different_person")
            _snapshot(db, case, "interval", "pending", None)
            _snapshot(db, case, "interval", "failed", None)
            # the camera went quiet (observations.flag_silent_cameras writes this event)
            db.add(
                Observation(
                    case_id=case.id,
                    kind="event",
                    event_type="snapshots_stopped",
                    at=clock.now(),
                    status="recorded",
                    flagged=True,
                    weight=2.0,
                )
            )
        db.commit()
        cases.append((attempt, case))
    second = make_user(Role.EXAMINER, full_name="Penguji Ketiga")
    review.record_verdict(db, cases[1][1], examiner, "second_review", note="Ragu")
    review.record_verdict(db, cases[2][1], examiner, "void", reason="second_person", note="Dua")
    review.record_verdict(db, cases[3][1], second, "clear", note="Cahaya redup")
    db.commit()
    return {"cases": [attempt for attempt, _case in cases]}


def _holder(db, make_user, n: int, **licence):
    born = date(1988, 1, 1) + timedelta(days=n)
    user = make_user(
        Role.APPLICANT, nik=make_nik(born), date_of_birth=born, full_name=f"Pemegang {n}"
    )
    values = {
        "number": f"9{n:011d}", "licence_class": "A", "holder_nik": user.nik,
        "holder_name": user.full_name, "date_of_birth": born,
        "address": "Jl. Melati No. 5, Jakarta Selatan", "issued_on": TODAY - timedelta(days=1800),
        "expires_on": TODAY + timedelta(days=30), "satpas": "Satpas Polda Metro Jaya",
        "status": LicenceStatus.ACTIVE, **licence,
    }  # fmt: skip
    lic = registry.add_licence(db, **values)
    lic.photo_encoding = encoding_of("obama.jpg")
    db.commit()
    return user, lic


def _docs(user) -> dict:
    sandbox, found = health.provider("sandbox"), {}
    for kind, days in (("health", 2), ("psych", 30)):
        made = sandbox.issue(kind, user.nik, issued_on=TODAY - timedelta(days=days))
        found[f"{kind}_number"], found[f"{kind}_date"] = made.number, made.issued_on
    return {"photo": photos.compliant(), "signature": photos.signature(), **found}


def _renewals(db, make_user) -> dict:
    """Applications waiting for documents, an identity review, payment and verification; one
    approved whose card is on its way, one rejected after payment (a refund)."""
    officer = make_user(Role.EXAMINER, full_name="Petugas SIM")
    renewals = {}
    states = (AppState.DOCUMENTS, AppState.IDENTITY_REVIEW, AppState.PAYMENT, AppState.PAID,
              AppState.APPROVED, AppState.APPROVED)  # fmt: skip
    for n, state in enumerate(states):
        user, lic = _holder(db, make_user, n)
        method = "pickup" if n == 5 else "courier"
        renewals[n] = walk_to(db, state, user, lic, _docs(user), lambda: officer, method)
    rejected_user, rejected_lic = _holder(db, make_user, 9)
    rejected = walk_to(db, AppState.PAID, rejected_user, rejected_lic, _docs(rejected_user),
                       lambda: officer)  # fmt: skip
    verification.reject(db, rejected, officer, "unclear_documents", "Foto buram")
    order = delivery.get_order(db, renewals[4])
    for to in (OrderState.PRINTED, OrderState.PACKED):
        delivery.advance_order(db, order, to, source="officer", actor=officer)
    db.commit()
    return {"renewals": [*renewals.values(), rejected], "officer": officer}


def _printing(db, make_user) -> dict:
    """Card jobs ready, claimed (by a station), printed and failed; a revoked station."""
    admin = make_user(Role.ADMIN, full_name="Admin Cetak")
    shop = make_user(Role.PRINT_SHOP, full_name="Budi Percetakan")
    station, _token = stations.create_station(db, "Percetakan Sudirman", admin)
    old, _token = stations.create_station(db, "Percetakan Lama", admin)
    stations.revoke_station(db, old, admin)
    jobs = [enqueue_card(db, plain_card(n)) for n in range(1, 6)]
    db.commit()
    claimed = print_queue.claim(db, shop, 3, actor=shop)
    print_queue.mark_printed(db, claimed[0], shop, shop)
    print_queue.mark_failed(db, claimed[1], shop, "Tinta pudar", shop)
    print_queue.claim(db, station, 1)
    db.commit()
    return {"jobs": jobs, "shop": shop, "admin": admin}


def _grace_and_mail(db) -> None:
    """Grace windows drafted, published and withdrawn; a message held (no SMTP in tests)."""
    values = {
        "closed_from": TODAY - timedelta(days=12), "closed_until": TODAY - timedelta(days=3),
        "expired_from": TODAY - timedelta(days=20), "expired_until": TODAY - timedelta(days=10),
        "renew_from": TODAY - timedelta(days=2), "renew_until": TODAY + timedelta(days=5),
        "telegram": "ST/785/IV/YAN.1.1/2026", "classes": "A,C", "online": True, "counter": True,
        "source": "",
    }  # fmt: skip
    for n, name in enumerate(("Lebaran draf", "Lebaran terbit", "Lebaran ditarik")):
        window = closures.add_window(db, None, name=name, **values)
        if n:
            closures.publish(db, window, None)
        if n == 2:
            closures.withdraw(db, window, None)
    mail.queue_mail(db, to="a@example.id", subject="Uji", body="Isi", kind="test")
    db.commit()

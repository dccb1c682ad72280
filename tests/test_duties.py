"""Separation of duties (issue 17, point 3; ujisim/core/duties.py): nobody reviews, grades,
regrades, voids or clears their own exam or proctoring case, nor approves their own item
version; a staff member with an exam attempt of their own open sees no staff page (bank, keys,
replays, reviews) until it ends. Every refusal is audited and the 403 page says why, in
Bahasa Indonesia first. Renewals: tests/renewal/test_duties.py.

Each test has a colleague do the same thing successfully, so a rule that is too broad fails."""

from __future__ import annotations

import collections
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD
from tests.exam.conftest import answer_all
from tests.support import audit_records
from tests.test_access import PROTECTED
from ujisim.accounts import signals as account_signals
from ujisim.app import create_app
from ujisim.core import duties
from ujisim.core import signals as core_signals
from ujisim.core.db import get_db
from ujisim.core.security import Role
from ujisim.exam import attempts, grading, policy
from ujisim.exam import signals as exam_signals
from ujisim.exam.models import Attempt, Grade
from ujisim.proctoring import checks
from ujisim.proctoring.models import IdentityStatus, ProctorCase, ReviewStatus
from ujisim.question_bank import authoring_services, services
from ujisim.question_bank import signals as bank_signals
from ujisim.question_bank.content import ItemContent, Option
from ujisim.question_bank.forms import version_stamp
from ujisim.question_bank.models import ItemVersion

OWN = "access.own_case_refused"
OPEN_EXAM = "access.staff_with_open_exam_refused"
#: the blueprints whose pages show the bank, keys, replays or reviews
STAFF = {
    "exam_examiner",
    "exam_analysis",
    "authoring",
    "publishing",
    "proctoring_examiner",
    "renewal_officer",
    "renewal_refunds_officer",
    "audit_explorer",
}
STAFF_ENDPOINTS = sorted(e for e in PROTECTED if e.split(".")[0] in STAFF)


@pytest.fixture
def staff_candidate(make_user):
    """An examiner who is also an applicant (3174050507990003: born 5 July 1999)."""
    return make_user(
        Role.APPLICANT, Role.EXAMINER, nik="3174050507990003", date_of_birth=date(1999, 7, 5)
    )


@pytest.fixture
def colleague(signed_in, make_user):
    """Another examiner, logged in."""
    return signed_in(make_user(Role.EXAMINER))


@pytest.fixture
def own_attempt(db, bank, staff_candidate):
    """A created (open) SIM A attempt of the examiner-applicant."""
    attempt = attempts.create_attempt(db, staff_candidate, policy.current_blueprint(db, "A"))
    db.commit()
    return attempt


def finish(db, attempt: Attempt, user) -> Attempt:
    """Start, answer and submit: the attempt is graded (no longer open)."""
    attempts.advance(db, attempt, attempts.AttemptState.STARTED, user)
    db.commit()
    answer_all(db, attempt, correct=25)
    grading.submit(db, attempt, user)
    db.commit()
    db.refresh(attempt)
    assert attempt.state == "graded"
    return attempt


def page(response) -> str:
    return response.get_data(as_text=True)


# -- the rule itself ---------------------------------------------------------------------------


def test_every_examiner_and_audit_page_is_a_guarded_staff_page(app):
    assert duties.STAFF_BLUEPRINTS == STAFF
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/examiner/", "/audit/")):
            assert rule.endpoint.split(".")[0] in STAFF, rule.rule


def test_a_second_app_connects_no_receiver_twice(app, app_config):
    """Tests build several apps in one process, each ``init_app`` connecting the domains'
    receivers again: blinker keeps one connection per receiver, so none answers twice (a
    subject answered twice would make ``at_most_one`` fail, a guard would refuse twice)."""
    asked = [
        core_signals.subject_wanted,
        core_signals.open_business_wanted,
        account_signals.deletion_requested,
        account_signals.account_deleting,
        bank_signals.mock_shape_wanted,
        exam_signals.begin_requested,
    ]
    before = {signal.name: set(signal.receivers) for signal in asked}
    assert all(before.values())
    get_db(create_app(app_config)).dispose()
    assert {signal.name: set(signal.receivers) for signal in asked} == before


def test_open_means_not_yet_finished(db, own_attempt, staff_candidate):
    assert duties.open_business(db, staff_candidate).object_id == own_attempt.public_id
    assert duties.is_subject(db, staff_candidate, own_attempt)
    attempts.advance(db, own_attempt, attempts.AttemptState.STARTED, staff_candidate)
    attempts.advance(db, own_attempt, attempts.AttemptState.PAUSED, staff_candidate)
    assert duties.open_business(db, staff_candidate) is not None
    attempts.advance(db, own_attempt, attempts.AttemptState.STARTED, staff_candidate)
    attempts.advance(db, own_attempt, attempts.AttemptState.SUBMITTED, staff_candidate)
    assert duties.open_business(db, staff_candidate) is None  # finished: answers are fixed
    # still theirs, whatever its state
    assert duties.is_subject(db, staff_candidate, own_attempt)


# -- a staff member with an open exam ----------------------------------------------------------


@pytest.mark.parametrize("endpoint", STAFF_ENDPOINTS)
def test_staff_with_an_open_exam_sees_no_staff_page(
    client, db, own_attempt, staff_candidate, endpoint
):
    """Every staff page and action, refused before its view runs (placeholders need no real
    object: a page that got past the rule would answer 404 or 200, not 403)."""
    method, url, *_rest = PROTECTED[endpoint]
    url = url.format_map(collections.defaultdict(lambda: "x"))
    assert client.login(staff_candidate.email, DEFAULT_PASSWORD).status_code == 302
    response = client.get(url) if method == "GET" else client.submit(url)
    assert response.status_code == 403
    assert "sendiri sedang menempuh ujian" in page(response)
    (record,) = audit_records(db, OPEN_EXAM, staff_candidate)
    assert (record.object_type, record.object_id) == ("attempt", own_attempt.public_id)
    assert endpoint in record.data


def test_the_item_bank_opens_again_when_the_exam_ends(
    db, signed_in, own_attempt, staff_candidate, colleague
):
    me = signed_in(staff_candidate)
    assert colleague.get("/examiner/items/").status_code == 200  # the rule is about the person
    assert me.get("/examiner/items/").status_code == 403
    assert me.get(f"/examiner/exams/{own_attempt.public_id}").status_code == 403
    finish(db, own_attempt, staff_candidate)
    assert me.get("/examiner/items/").status_code == 200
    assert len(audit_records(db, OPEN_EXAM, staff_candidate)) == 2


def test_an_admin_with_an_open_exam_sees_no_audit_explorer(db, bank, signed_in, make_user):
    admin = make_user(Role.APPLICANT, Role.ADMIN, date_of_birth=date(1990, 1, 1))
    attempts.create_attempt(db, admin, policy.current_blueprint(db, "A"))
    db.commit()
    assert signed_in(admin).get("/audit/").status_code == 403
    assert signed_in(make_user(Role.ADMIN)).get("/audit/").status_code == 200
    assert len(audit_records(db, OPEN_EXAM, admin)) == 1


def test_reserved_item_pictures_are_closed_during_an_own_exam(
    db, signed_in, own_attempt, staff_candidate, colleague
):
    version = db.scalars(
        select(ItemVersion).where(
            ItemVersion.media_json.is_not(None), ItemVersion.practice.is_(False)
        )
    ).first()
    url = f"/bank/media/{version.id}/A.svg"
    assert colleague.get(url).status_code == 200
    assert signed_in(staff_candidate).get(url).status_code == 403
    assert len(audit_records(db, OPEN_EXAM, staff_candidate)) == 1


# -- their own exam and proctoring case --------------------------------------------------------


def test_nobody_replays_regrades_or_voids_their_own_exam(
    db, signed_in, own_attempt, staff_candidate, colleague
):
    attempt = finish(db, own_attempt, staff_candidate)
    me = signed_in(staff_candidate)
    base = f"/examiner/exams/{attempt.public_id}"
    replay = me.get(base)
    assert replay.status_code == 403
    assert "Ini ujian Anda sendiri." in page(replay)
    assert "(kunci)" not in page(replay)
    assert me.submit(base + "/regrade", {"reason": "cek", "expected": "1"}).status_code == 403
    assert me.submit(base + "/void", {"reason": "batal sendiri"}).status_code == 403
    db.expire_all()
    assert db.get(Attempt, attempt.id).state == "graded"
    assert len(db.scalars(select(Grade).where(Grade.attempt_id == attempt.id)).all()) == 1
    records = audit_records(db, OWN, staff_candidate)
    assert [(r.object_type, r.object_id) for r in records] == [("attempt", attempt.public_id)] * 3
    assert ["regrade" in r.data for r in records] == [False, True, False]
    # another examiner does each of these
    assert colleague.get(base).status_code == 200
    form = {"reason": "cek ulang", "expected": "1"}
    assert colleague.submit(base + "/regrade", form).status_code == 302
    assert colleague.submit(base + "/void", {"reason": "Joki"}).status_code == 302
    db.expire_all()
    assert db.get(Attempt, attempt.id).state == "voided"


@pytest.fixture
def own_case(db, own_attempt):
    """The examiner-applicant's case, escalated to an examiner before the exam began."""
    case = checks.ensure_case(db, own_attempt)
    case.identity_status = IdentityStatus.ESCALATED
    case.review_status = ReviewStatus.OPEN
    db.commit()
    return case


def test_nobody_clears_their_own_proctoring_case_and_then_begins(
    db, signed_in, own_attempt, own_case, staff_candidate, colleague
):
    """The outside test's reproduction: clear the own escalated case, then begin the exam."""
    me = signed_in(staff_candidate)
    url = f"/examiner/proctoring/{own_attempt.public_id}"
    assert me.get("/examiner/proctoring/").status_code == 403
    assert me.get(url).status_code == 403
    refused = me.submit(url + "/verdict", {"verdict": "clear", "expected": "0"})
    assert refused.status_code == 403
    db.expire_all()
    case = db.get(ProctorCase, own_case.id)
    assert (case.review_status, case.identity_status) == ("open", "escalated")
    assert me.submit(f"/ujian/{own_attempt.public_id}/begin").status_code != 302
    db.expire_all()
    assert db.get(Attempt, own_attempt.id).state == "created"
    assert len(audit_records(db, OPEN_EXAM, staff_candidate)) == 3
    # another examiner clears it
    cleared = colleague.submit(url + "/verdict", {"verdict": "clear", "expected": "0"})
    assert cleared.status_code == 302
    db.expire_all()
    assert db.get(ProctorCase, own_case.id).review_status == "cleared"


def test_nobody_reviews_their_own_case_after_the_exam(
    db, signed_in, own_attempt, own_case, staff_candidate, colleague
):
    finish(db, own_attempt, staff_candidate)
    me = signed_in(staff_candidate)
    url = f"/examiner/proctoring/{own_attempt.public_id}"
    assert me.get("/examiner/proctoring/").status_code == 200  # the queue, without opening it
    own = me.get(url)
    assert own.status_code == 403
    assert "Ini kasus pengawasan ujian Anda sendiri." in page(own)
    form = {"verdict": "void", "reason": "technical", "expected": "0"}
    assert me.submit(url + "/verdict", form).status_code == 403
    db.expire_all()
    assert db.get(ProctorCase, own_case.id).review_status == "open"
    records = audit_records(db, OWN, staff_candidate)
    assert [(r.object_type, r.object_id) for r in records] == [
        ("attempt", own_attempt.public_id)
    ] * 2
    assert colleague.get(url).status_code == 200


# -- their own item version --------------------------------------------------------------------


def test_nobody_approves_their_own_item_version(db, signed_in, make_user, colleague):
    author = make_user(Role.EXAMINER)
    item = authoring_services.create_item(
        db,
        ItemContent(
            code="ZZ-700",
            classes=("A", "C"),
            category="pengetahuan",
            topic="kecepatan",
            stem="Berapa batas kecepatan di kawasan permukiman?",
            options=(Option("30 km/jam", True), Option("60 km/jam")),
            explanation="PM 111/2015 menetapkan paling tinggi 30 km/jam di permukiman.",
            legal_basis="PM 111/2015 Pasal 3 ayat (4)",
            difficulty=1,
        ),
        author=author,
    )
    authoring_services.submit_for_review(db, item, actor=author)
    db.commit()
    form = {"stamp": version_stamp(item.head), "approve_comment": ""}
    refused = signed_in(author).submit("/examiner/items/ZZ-700/approve", form)
    assert refused.status_code == 403
    assert "Anda yang menulis versi soal ini." in page(refused)
    db.expire_all()
    assert services.get_item(db, "ZZ-700").head.state == "in_review"
    (record,) = audit_records(db, OWN, author)
    assert (record.object_type, record.object_id) == ("item", "ZZ-700")
    assert colleague.submit("/examiner/items/ZZ-700/approve", form).status_code == 302
    db.expire_all()
    assert services.get_item(db, "ZZ-700").head.state == "active"

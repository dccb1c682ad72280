"""The examiners' side: the review queue ordered by risk with the analysis queue's length and
age, a case's timeline beside the reference photo, and verdicts (clear, void with a reason,
second review by a different examiner), audited and applied to the attempt."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import _test_config
from tests.exam.conftest import make_items
from tests.webcam import jpeg_bytes
from ujisim.core import clock
from ujisim.core.audit import AuditRecord
from ujisim.core.security import Role
from ujisim.exam import attempts, policy
from ujisim.exam.models import Attempt
from ujisim.proctoring import checks, consent, observations, reference
from ujisim.proctoring.models import Observation, ProctorCase, Verdict
from ujisim.question_bank import services


@pytest.fixture
def app_config(tmp_path, database_url):
    return _test_config(tmp_path, database_url, PROCTOR_REQUIRED=True)


@pytest.fixture
def proctored(db, make_user, face_photos, frozen_clock):
    """``proctored(nik)``: a started exam of a new candidate whose photo is on file; its case
    as if the identity check had passed (checks are tested in test_candidate.py)."""
    services.import_contents(db, make_items())
    db.commit()

    def make(nik: str, day: int):
        user = make_user(Role.APPLICANT, nik=nik, date_of_birth=date(1999, 7, day))
        consent.record_consent(db, user, locale="id", ip=None, user_agent=None)
        reference.set_reference_photo(db, user, face_photos["obama.jpg"].read_bytes())
        attempt = attempts.create_attempt(db, user, policy.check_eligibility(db, user, "A"))
        case = checks.ensure_case(db, attempt)
        case.identity_status = "passed"
        attempts.advance(db, attempt, attempts.AttemptState.STARTED, user)
        db.commit()
        return user, attempt, case

    return make


@pytest.fixture
def examiner(client, login):
    user = login(Role.EXAMINER)
    client.submit("/lang", {"lang": "en"})
    return user


def events(db, case, *kinds):
    for kind in kinds:
        observations.record_event(db, case, kind)
    db.commit()


def snapshot(db, case, user, image, trigger="interval"):
    observations.record_snapshot(db, case, jpeg_bytes(image), trigger=trigger, owner=user)
    db.commit()  # the analysis job runs after the commit (eager in tests)


def test_the_queue_is_ordered_by_risk_and_shows_the_analysis_backlog(
    client, db, proctored, examiner, frozen_clock
):
    _, low, low_case = proctored("3174050507990003", 5)
    _, high, high_case = proctored("3174050607990004", 6)
    _, calm, _calm_case = proctored("3174050707990005", 7)
    events(db, low_case, "tab_hidden", "tab_hidden", "tab_hidden")  # risk 3
    events(db, high_case, "paste", "paste", "camera_ended")  # risk 6
    db.add(
        Observation(
            case_id=low_case.id,
            kind="snapshot",
            event_type="interval",
            at=clock.now(),
            status="pending",
        )
    )
    db.commit()
    frozen_clock.advance(seconds=125)
    page = client.get("/examiner/proctoring/").get_data(as_text=True)
    order = re.findall(r'data-attempt="([^"]+)"', page)
    assert order == [high.public_id, low.public_id]  # the calm one is not in the queue
    assert calm.public_id not in page
    assert "Snapshots waiting for analysis: 1; the oldest has waited 125 seconds." in page


def test_the_case_page_shows_the_timeline_beside_the_reference(
    client, db, proctored, examiner, impostor_frame, webcam_frame
):
    user, attempt, case = proctored("3174050507990003", 5)
    snapshot(db, case, user, webcam_frame)
    snapshot(db, case, user, impostor_frame, trigger="tab_hidden")
    events(db, case, "tab_hidden")
    page = client.get(f"/examiner/proctoring/{attempt.public_id}").get_data(as_text=True)
    assert 'id="case-reference"' in page
    thumbs = re.findall(r'class="thumb" src="(/files/[^"]+)"', page)
    assert len(thumbs) == 2
    assert all(client.get(url).status_code == 200 for url in [*thumbs])
    assert 'data-finding="different_person"' in page
    assert 'data-finding="ok"' in page
    assert re.search(r"distance 0\.\d\d / 0\.6", page)
    # codes read as words in the examiner's language (issue 20, point 4)
    assert "left the exam tab" in page
    assert ">tab_hidden<" not in page
    assert "(tab_hidden)" not in page
    assert ">a different person<" in page


def test_void_needs_a_reason_and_voids_the_attempt(client, db, proctored, examiner):
    _, attempt, case = proctored("3174050507990003", 5)
    url = f"/examiner/proctoring/{attempt.public_id}/verdict"
    refused = client.submit(url, {"verdict": "void"})
    assert refused.status_code == 303
    assert "Choose the reason for voiding." in client.get(refused.headers["Location"]).get_data(
        as_text=True
    )
    assert db.scalars(select(Verdict)).all() == []
    done = client.submit(url, {"verdict": "void", "reason": "impersonation", "note": "not him"})
    assert done.status_code == 302
    db.expire_all()
    voided = db.get(Attempt, attempt.id)
    assert voided.state == "voided"
    assert voided.void_reason == "proctoring: impersonation - not him"
    case = db.get(ProctorCase, case.id)
    assert (case.review_status, case.verdict_at) == ("voided", clock.now())
    verdict = db.scalars(select(Verdict)).one()
    assert (verdict.verdict, verdict.reason, verdict.examiner_id) == (
        "void",
        "impersonation",
        examiner.id,
    )
    actions = db.scalars(select(AuditRecord.action)).all()
    assert "proctoring.verdict" in actions
    assert "exam.void" in actions
    again = client.submit(url, {"verdict": "clear"})
    assert again.status_code == 303
    assert len(db.scalars(select(Verdict)).all()) == 1


def test_a_second_review_needs_a_different_examiner(
    client, db, proctored, examiner, make_user, login
):
    _, attempt, case = proctored("3174050507990003", 5)
    events(db, case, "paste", "paste")
    url = f"/examiner/proctoring/{attempt.public_id}/verdict"
    assert client.submit(url, {"verdict": "second_review", "note": "unsure"}).status_code == 302
    own = client.submit(url, {"verdict": "clear"})
    assert own.status_code == 303
    page = client.get(own.headers["Location"]).get_data(as_text=True)
    assert "A second review must be given by a different examiner." in page
    client.logout()
    second = login(Role.EXAMINER)
    assert client.submit(url, {"verdict": "clear"}).status_code == 302
    db.expire_all()
    rows = db.scalars(select(Verdict).order_by(Verdict.id)).all()
    assert [(v.verdict, v.examiner_id) for v in rows] == [
        ("second_review", examiner.id),
        ("clear", second.id),
    ]
    assert db.get(ProctorCase, case.id).review_status == "cleared"
    assert db.get(Attempt, attempt.id).state == "started"  # clear changes nothing else


def test_clearing_a_paused_exam_resumes_it(db, proctored, make_user, frozen_clock):
    from ujisim.proctoring.review import record_verdict

    _, attempt, case = proctored("3174050507990003", 5)
    deadline = attempt.deadline_at
    attempts.advance(db, attempt, attempts.AttemptState.PAUSED, None, "proctoring: test")
    db.commit()
    frozen_clock.advance(minutes=3)
    record_verdict(db, case, make_user(Role.EXAMINER), "clear")
    db.commit()
    db.expire_all()
    resumed = db.get(Attempt, attempt.id)
    assert resumed.state == "started"
    assert (resumed.deadline_at - deadline).total_seconds() == 180


def test_a_verdict_sent_twice_from_the_same_form_is_written_once(client, db, proctored, examiner):
    _, attempt, case = proctored("3174050507990003", 5)
    events(db, case, "paste", "paste")  # risk 4: in the queue
    url = f"/examiner/proctoring/{attempt.public_id}/verdict"

    def form_state() -> str:
        page = client.get(f"/examiner/proctoring/{attempt.public_id}").get_data(as_text=True)
        return re.search(r'name="expected" value="(\d+)"', page).group(1)

    def written() -> tuple[int, int]:
        db.expire_all()
        audits = select(AuditRecord).where(AuditRecord.action == "proctoring.verdict")
        return len(db.scalars(select(Verdict)).all()), len(db.scalars(audits).all())

    seen = form_state()
    assert seen == "0"
    clear = {"verdict": "clear", "note": "same person", "expected": seen}
    assert client.submit(url, clear).status_code == 302
    assert client.submit(url, clear).status_code == 302  # the double click: nothing more
    assert written() == (1, 1)
    # another verdict from the stale form is refused: the examiner sees the case first
    stale = client.submit(url, {"verdict": "void", "reason": "impersonation", "expected": seen})
    assert stale.status_code == 303
    page = client.get(stale.headers["Location"]).get_data(as_text=True)
    assert "This case has changed since you opened it." in page
    assert written() == (1, 1)
    assert db.get(Attempt, attempt.id).state == "started"
    assert db.get(ProctorCase, case.id).review_status == "cleared"
    # a form made after the first verdict counts it and is accepted
    fresh = {"verdict": "void", "reason": "impersonation", "expected": form_state()}
    assert client.submit(url, fresh).status_code == 302
    assert written() == (2, 2)
    assert db.get(Attempt, attempt.id).state == "voided"

"""The exam language (issue 20, point 5): the applicant chooses Bahasa Indonesia or English on the
start page (offered in the pages' language first); the attempt keeps it, and the paper API, the
pictures, the result page, the examiner's replay and the paper's text show the items in it, even
after the pages were switched to the other language."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD
from tests.exam.conftest import answer_all
from ujisim.core.audit import AuditRecord
from ujisim.core.security import Role
from ujisim.exam import attempts, grading, policy
from ujisim.exam.models import Attempt

pytestmark = pytest.mark.both_backends  # the attempt's new column, on SQLite and PostgreSQL

CONFIRM = {"satpas": "Satpas Polres Tegal", "confirm_identity": "yes", "vehicle_class": "A"}


@pytest.fixture
def applicant(client, make_user, bank, frozen_clock):
    user = make_user(Role.APPLICANT, nik="3174050507990003", date_of_birth=date(1999, 7, 5))
    client.login(user.email, DEFAULT_PASSWORD)
    return user


def start(client, db, **form) -> Attempt:
    response = client.submit("/ujian/mulai", {**CONFIRM, **form})
    assert response.status_code == 302, response.get_data(as_text=True)
    attempt = db.scalars(select(Attempt)).one()
    assert client.submit(f"/ujian/{attempt.public_id}/begin").status_code == 302
    return attempt


def paper(client, attempt) -> dict:
    response = client.get(f"/api/v1/exam/attempts/{attempt.public_id}")
    assert response.status_code == 200
    return response.get_json()


def test_the_start_page_offers_both_languages_preselecting_the_pages_one(client, applicant):
    page = client.get("/ujian/").get_data(as_text=True)
    assert '<input type="radio" name="language" value="id" required checked>' in page
    assert '<input type="radio" name="language" value="en" required >' in page
    client.submit("/lang", {"lang": "en"})
    page = client.get("/ujian/").get_data(as_text=True)
    assert "Language of the questions" in page
    assert '<input type="radio" name="language" value="en" required checked>' in page


def test_an_english_exam_keeps_its_language_whatever_the_pages_are_in(client, db, applicant):
    attempt = start(client, db, language="en")
    assert attempt.language == "en"
    record = db.scalars(select(AuditRecord).where(AuditRecord.action == "exam.created")).one()
    assert json.loads(record.data)["language"] == "en"
    versions = attempts.paper_versions(db, attempt)
    body = paper(client, attempt)
    assert body["language"] == "en"
    for question, entry, version in zip(body["questions"], attempt.paper, versions, strict=True):
        english = version.text("en")
        assert question["lang"] == "en"
        assert question["stem"] == english.stem
        assert question["stem"].startswith("Question ")
        assert question["options"] == [o["text"] for o in english.shown(entry["o"])]
    # the pages switched to Indonesian mid-exam: the questions stay in English
    client.submit("/lang", {"lang": "id"})
    assert paper(client, attempt)["questions"] == body["questions"]
    db.expire_all()
    assert db.get(Attempt, attempt.id).language == "en"


def test_an_indonesian_exam_on_english_pages(client, db, applicant):
    client.submit("/lang", {"lang": "en"})
    attempt = start(client, db, language="id")
    body = paper(client, attempt)
    assert body["language"] == "id"
    assert {q["lang"] for q in body["questions"]} == {"id"}
    assert body["questions"][0]["stem"].startswith("Soal ")


def test_the_instructions_say_in_which_language_the_questions_are(client, db, applicant):
    client.submit("/lang", {"lang": "en"})
    assert client.submit("/ujian/mulai", {**CONFIRM, "language": "en"}).status_code == 302
    attempt = db.scalars(select(Attempt)).one()
    page = client.get(f"/ujian/{attempt.public_id}").get_data(as_text=True)
    assert "Before you begin" in page
    assert "SIM A exam, questions in English." in page


def test_a_form_without_the_field_takes_the_pages_language(client, db, applicant):
    client.submit("/lang", {"lang": "en"})
    assert start(client, db).language == "en"


def test_an_unknown_language_is_refused(client, db, applicant):
    client.submit("/lang", {"lang": "en"})
    refused = client.submit("/ujian/mulai", {**CONFIRM, "language": "fr"})
    assert refused.status_code == 303
    assert "Choose the language of the exam questions." in client.get("/ujian/").get_data(
        as_text=True
    )
    assert db.scalars(select(Attempt)).all() == []


def test_the_result_names_the_language_and_the_paper_text_uses_it(client, db, applicant):
    attempt = start(client, db, language="en")
    answer_all(db, attempt, correct=25)
    grading.submit(db, attempt, applicant)
    db.commit()
    client.submit("/lang", {"lang": "en"})
    result = client.get(f"/ujian/{attempt.public_id}/hasil").get_data(as_text=True)
    assert "SIM A exam, questions in English." in result
    client.submit("/lang", {"lang": "id"})
    result = client.get(f"/ujian/{attempt.public_id}/hasil").get_data(as_text=True)
    assert 'id="exam-language"' in result
    versions = attempts.paper_versions(db, attempt)
    text = attempts.render_paper(db, attempt)
    assert text.splitlines()[1].endswith("; language en")
    assert versions[0].text("en").stem in text
    assert versions[0].stem not in text


def test_the_examiner_replays_the_paper_in_the_candidates_language(
    client, db, applicant, make_user, signed_in
):
    attempt = start(client, db, language="en")
    answer_all(db, attempt, correct=25)
    grading.submit(db, attempt, applicant)
    db.commit()
    examiner = signed_in(make_user(Role.EXAMINER))
    examiner.submit("/lang", {"lang": "en"})
    page = examiner.get(f"/examiner/exams/{attempt.public_id}").get_data(as_text=True)
    assert '<dd id="exam-language">English</dd>' in page
    english = attempts.paper_versions(db, attempt)[0].text("en")
    assert f'<p lang="en">{english.stem}</p>' in page


def test_an_attempt_made_by_the_service_is_in_indonesian(db, bank, candidate):
    blueprint = policy.check_eligibility(db, candidate, "A")
    attempt = attempts.create_attempt(db, candidate, blueprint)
    db.commit()
    db.expire_all()
    assert db.get(Attempt, attempt.id).language == "id"

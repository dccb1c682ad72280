"""Questions read aloud by the server (issue 20, point 5): the official exam's audio by position
in the attempt, the practice audio by item version; real espeak-ng audio, made once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import DEFAULT_PASSWORD
from tests.core.test_speech import mp3_seconds, wav_seconds
from tests.exam.test_api import start_exam
from ujisim.core import speech
from ujisim.core.security import Role
from ujisim.core.storage import StoredFile
from ujisim.exam import attempts
from ujisim.question_bank.models import ItemVersion


@pytest.fixture
def applicant(client, make_user, bank, frozen_clock):
    user = make_user(Role.APPLICANT, nik="3174050507990003", date_of_birth=date(1999, 7, 5))
    client.login(user.email, DEFAULT_PASSWORD)
    return user


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_the_exam_reads_each_question_as_shown_and_makes_it_once(client, db, applicant):
    attempt = start_exam(client, db)
    question = client.get(f"/api/v1/exam/attempts/{attempt.public_id}").get_json()["questions"][3]
    url = question["speech"]
    assert url == f"/ujian/{attempt.public_id}/suara/3"

    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "audio/mpeg"
    assert response.headers["Cache-Control"] == "private, max-age=3600"
    assert "filename" not in response.headers["Content-Disposition"]
    audio = response.data
    # espeak-ng's speech of what the page shows, the stem and the options in the order shown
    # (the key first in the bank, here wherever the shuffle put it), and nothing else
    shown = speech.spoken_text(question["stem"], question["options"])
    assert shown.startswith(f"{question['stem'][:-1]}? A. {question['options'][0]}.")
    made, _type = speech.compress(speech.synthesize(shown, "id"))
    assert audio == made
    assert mp3_seconds(audio) > 3
    assert abs(mp3_seconds(audio) - wav_seconds(speech.synthesize(shown, "id"))) < 0.2
    files = count(db, StoredFile)
    assert count(db, speech.SpeechAudio) == 1

    again = client.get(url)  # the cache: the same audio, nothing made or kept again
    assert again.data == audio
    assert (count(db, speech.SpeechAudio), count(db, StoredFile)) == (1, files)
    # a byte range (Safari plays audio only from a server that answers them)
    part = client.get(url, headers={"Range": "bytes=0-99"})
    assert (part.status_code, part.data) == (206, audio[:100])


def test_an_exam_in_english_is_read_in_english(client, db, applicant):
    """The audio speaks the language chosen at the start, as the page shows it."""
    attempt = start_exam(client, db, language="en")
    question = client.get(f"/api/v1/exam/attempts/{attempt.public_id}").get_json()["questions"][0]
    assert question["lang"] == "en"
    response = client.get(question["speech"])
    shown = speech.spoken_text(question["stem"], question["options"])
    assert shown.startswith("Question ")  # the English stem of the test items
    assert response.data == speech.compress(speech.synthesize(shown, "en"))[0]
    assert db.scalars(select(speech.SpeechAudio.language)).all() == ["en"]


def test_the_exam_audio_is_the_candidates_own_while_the_exam_runs(
    client, db, applicant, make_user, signed_in
):
    attempt = start_exam(client, db)
    assert client.get(f"/ujian/{attempt.public_id}/suara/30").status_code == 404
    other = make_user(Role.APPLICANT, date_of_birth=date(1990, 1, 1))
    assert signed_in(other).get(f"/ujian/{attempt.public_id}/suara/0").status_code == 404
    attempts.advance(db, attempt, attempts.AttemptState.SUBMITTED, applicant)
    db.commit()
    assert client.get(f"/ujian/{attempt.public_id}/suara/0").status_code == 404
    assert count(db, speech.SpeechAudio) == 0


def test_practice_reads_a_published_item_in_the_order_shown(client, db, make_items_bank):
    practice, reserved = make_items_bank
    options = [o["text"] for o in practice.options]
    response = client.get(f"/bank/speech/{practice.id}/3102")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    shown = speech.spoken_text(practice.stem, [options[3], options[1], options[0], options[2]])
    assert response.data == speech.compress(speech.synthesize(shown, "id"))[0]
    assert client.get(f"/bank/speech/{practice.id}/0123").data != response.data
    for order in ("0012", "012", "01234", "abcd"):
        assert client.get(f"/bank/speech/{practice.id}/{order}").status_code == 404
    english = practice.text("en")
    shown = speech.spoken_text(english.stem, [o["text"] for o in english.shown([3, 1, 0, 2])])
    in_english = client.get(f"/bank/speech/{practice.id}/3102?lang=en")
    assert in_english.data == speech.compress(speech.synthesize(shown, "en"))[0]
    assert client.get(f"/bank/speech/{practice.id}/3102?lang=fr").status_code == 404
    # an item reserved for official exams is read only inside an exam, by position
    assert client.get(f"/bank/speech/{reserved.id}/0123").status_code == 404


@pytest.fixture
def make_items_bank(db):
    """A published bank with practice and reserved items; one version of each."""
    from tests.exam.conftest import make_items
    from ujisim.question_bank import services

    items = make_items(per_category=6, practice=True)
    reserved = [replace(i, code=i.code.replace("-", "-R")) for i in make_items(per_category=6)]
    services.import_contents(db, items + reserved)
    db.commit()
    versions = db.scalars(select(ItemVersion).order_by(ItemVersion.id)).all()
    return (
        next(v for v in versions if v.practice),
        next(v for v in versions if not v.practice),
    )

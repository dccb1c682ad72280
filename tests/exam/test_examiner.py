"""The examiner's list, replay, regrade and void pages."""

import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from tests.exam.conftest import answer_all, make_items
from ujisim.core.security import Role
from ujisim.exam import answers, attempts, grading
from ujisim.exam.models import Grade
from ujisim.question_bank import services
from ujisim.question_bank.media.signs import SIGNS


@pytest.fixture
def graded(db, started, candidate, frozen_clock):
    answers.record_answer(db, started, position=3, choice=1, client_seq=1)
    frozen_clock.advance(minutes=2)  # 10.02 WIB; the next one was clicked at 10.00.55
    answers.record_answer(
        db, started, position=3, choice=2, client_seq=2, device="ponsel7", age_ms=65_000
    )
    answer_all(db, started, correct=25, start_seq=10)
    grading.submit(db, started, candidate)
    db.commit()
    return started


def test_list_filters(client, login, graded, candidate):
    login(Role.EXAMINER)
    page = client.get("/examiner/exams/?outcome=passed&class=A").get_data(as_text=True)
    assert candidate.full_name in page
    page = client.get("/examiner/exams/?outcome=failed").get_data(as_text=True)
    assert candidate.full_name not in page
    page = client.get(f"/examiner/exams/?q={candidate.email}").get_data(as_text=True)
    assert graded.public_id in page


def test_replay_shows_every_answer_change_and_the_key(client, login, graded):
    login(Role.EXAMINER)
    page = client.get(f"/examiner/exams/{graded.public_id}").get_data(as_text=True)
    assert page.count("<tr><td>") >= 32  # 32 steps (two for question 4) + the grade
    assert "(kunci)" in page or "(key)" in page
    assert "HZ-" in page or "WW-" in page  # the examiner sees item codes
    # the browser that sent a step and when it was clicked (a queued answer: a minute earlier)
    assert "<td>ponsel7</td><td>10.00.55 WIB</td>" in page


def test_void_needs_a_reason_and_then_voids(client, db, login, graded):
    login(Role.EXAMINER)
    refused = client.submit(f"/examiner/exams/{graded.public_id}/void", {"reason": "  "})
    assert refused.status_code == 303
    db.refresh(graded)
    assert graded.state == "graded"
    done = client.submit(f"/examiner/exams/{graded.public_id}/void", {"reason": "Joki"})
    assert done.status_code == 302
    db.refresh(graded)
    assert (graded.state, graded.void_reason) == ("voided", "Joki")


def test_regrade_from_the_page_adds_a_grade(client, db, login, graded):
    login(Role.EXAMINER)
    page = client.get(f"/examiner/exams/{graded.public_id}").get_data(as_text=True)
    assert '<input type="hidden" name="expected" value="1">' in page
    form = {"reason": "cek ulang", "expected": "1"}
    response = client.submit(f"/examiner/exams/{graded.public_id}/regrade", form)
    assert response.status_code == 302
    grades = db.scalars(select(Grade).where(Grade.attempt_id == graded.id)).all()
    assert [g.reason for g in grades] == ["initial", "cek ulang"]


def test_a_double_clicked_regrade_adds_one_grade(client, db, login, graded):
    login(Role.EXAMINER)
    form = {"reason": "kunci diperbaiki", "expected": "1"}
    first = client.submit(f"/examiner/exams/{graded.public_id}/regrade", form)
    second = client.submit(f"/examiner/exams/{graded.public_id}/regrade", form)
    assert (first.status_code, second.status_code) == (302, 409)
    assert '<input type="hidden" name="expected" value="2">' in second.get_data(as_text=True)
    missing = client.submit(f"/examiner/exams/{graded.public_id}/regrade", {"reason": "lagi"})
    assert missing.status_code == 409  # a form without the number is refused too
    grades = db.scalars(select(Grade).where(Grade.attempt_id == graded.id)).all()
    assert [g.number for g in grades] == [1, 2]


@pytest.mark.parametrize(
    ("locale", "graded_label", "reason"),
    [("en", "Graded", "First grade"), ("id", "Dinilai", "Nilai pertama")],
)
def test_states_and_reasons_read_as_words(client, login, graded, locale, graded_label, reason):
    """Issue 20, point 4: the list, the detail and its event log name states and grade reasons
    in the examiner's language, never by their codes ("graded", "initial", "timed_out")."""
    login(Role.EXAMINER, locale=locale)
    listed = client.get("/examiner/exams/").get_data(as_text=True)
    assert f"<td>{graded_label} (" in listed
    assert ">timed_out<" not in listed  # the state filter's options too
    detail = client.get(f"/examiner/exams/{graded.public_id}").get_data(as_text=True)
    assert f"<dd>{graded_label}</dd>" in detail
    assert f"<td>{reason}</td>" in detail
    assert "→ graded" not in detail
    assert ">initial<" not in detail


@pytest.fixture
def bank(db):
    """The exam tests' bank with a traffic sign on every knowledge item (hazard items show a
    scene): the replay shows both kinds of picture."""
    items = [
        replace(item, media={"sign": "stop"}) if item.category == "pengetahuan" else item
        for item in make_items()
    ]
    result = services.import_contents(db, items)
    db.commit()
    return result.bank_version


@pytest.mark.parametrize(
    ("locale", "authoring", "sign"),
    [("id", "penulisan", "Rambu lalu lintas"), ("en", "authoring", "Traffic sign")],
)
def test_the_replay_shows_each_picture_and_the_letters_the_candidate_saw(
    client, db, login, graded, locale, authoring, sign
):
    """Issue 20, point 4: the replay showed no picture, and lettered the options in the
    authoring order where the candidate saw them shuffled. Each option now has the letter of
    its place on the candidate's paper, with its authoring letter beside it, in the steps too."""
    login(Role.EXAMINER, locale=locale)
    page = client.get(f"/examiner/exams/{graded.public_id}").get_data(as_text=True)
    versions = attempts.paper_versions(db, graded)
    questions = page.split('class="card replay-question"')[1:]
    assert len(questions) == len(versions)
    for position, (entry, version, html) in enumerate(
        zip(graded.paper, versions, questions, strict=True)
    ):
        for shown, authored in enumerate(entry["o"]):
            # e.g. <strong>B (penulisan: D)</strong> Salah 3 dua
            letters = f"{'ABCD'[shown]} ({authoring}: {'ABCD'[authored]})"
            text = version.options[authored]["text"]
            assert f"<strong>{letters}</strong> {text}" in html, (position, letters)
        picture = re.search(r'<img class="question-media" src="([^"]+)" alt="([^"]*)"', html)
        if not version.media:  # road-conduct items have none
            assert picture is None
            continue
        named = "?lang=en" if locale == "en" else ""  # the picture's own title as the page's
        assert picture[1] == f"/bank/media/{version.id}/A.svg{named}"
        if version.category == "pengetahuan":  # staff may read the sign's name
            name = SIGNS[version.media["sign"]].name(locale)  # in the page's language
            assert picture[2] == f"{sign}: {name}"
        else:  # the scene described in the page's language
            scene = version.media["scene"]
            assert picture[2] == scene["title_en" if locale == "en" else "title"]
    # the pictures are the examiner's to see: hazard scenes and signs
    pictures = re.findall(r'class="question-media" src="([^"]+)"', page)
    assert len(pictures) == 21  # 12 hazard scenes and 9 signs
    svg = client.get(pictures[-1])
    assert (svg.status_code, svg.mimetype) == (200, "image/svg+xml")
    # question 4 was answered with the second option shown, then the third
    second, third = ("ABCD"[graded.paper[3]["o"][n]] for n in (1, 2))
    assert f"<td>4</td><td>B ({authoring}: {second})</td>" in page
    assert f"<td>4</td><td>C ({authoring}: {third})</td>" in page
    # no letter without its order: the paper says which letters are which
    assert 'type="A"' not in page


@pytest.mark.parametrize(
    ("locale", "header"),
    [("id", "Pilihan (urutan penulisan)"), ("en", "Choices (authoring order)")],
)
def test_the_item_analysis_says_its_letters_are_the_authoring_order(
    client, login, graded, locale, header
):
    login(Role.EXAMINER, locale=locale)
    page = client.get("/examiner/analysis/").get_data(as_text=True)
    assert f'<th scope="col">{header}</th>' in page
    assert 'id="choice-order"' in page

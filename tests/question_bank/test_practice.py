"""Practice mode: study by topic, quick practice graded on the server (forged tokens refused),
mock exams on the official blueprint, stored history for applicants and their weak topics."""

import re
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from ujisim.core.security import Role
from ujisim.question_bank import authoring_services, practice_mock, services
from ujisim.question_bank import practice_services as practice
from ujisim.question_bank.content import load_dir
from ujisim.question_bank.errors import PracticeUnavailable
from ujisim.question_bank.models import Category, PracticeAnswer, PracticeMode

TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')
REF_RE = re.compile(r'name="ref" value="([^"]+)"')


@pytest.fixture(scope="module")
def contents():
    """A slice of the shipped bank: a couple more practice items per class and category than a
    mock exam needs, plus every item of one topic (rambu, reserved ones too) so that its page
    is paginated."""
    need = {(c, cat): n + 2 for c in "AC" for cat, n in practice_mock.DEFAULT_SHAPE.counts.items()}
    chosen = []
    for item in load_dir()[0]:
        wanted = item.practice and any(need[(c, item.category)] > 0 for c in item.classes)
        if wanted or item.topic == "rambu":
            chosen.append(item)
            for c in item.classes:
                need[(c, item.category)] -= 1
    return chosen


@pytest.fixture
def bank(db, contents):
    """The slice imported and published; the class-A versions by item code."""
    result = services.import_contents(db, contents)
    db.commit()
    return result.bank_version


@pytest.fixture
def pool_a(db, bank):
    """The class-A practice items (the reserved ones are left out of every practice page)."""
    return [v for v in services.bank_item_versions(db, bank, "A") if v.practice]


@pytest.fixture
def english(client):
    """Pages in English (the default is Bahasa Indonesia)."""
    client.submit("/lang", {"lang": "en"})


@pytest.fixture
def secret(app):
    return app.config["SECRET_KEY"]


def text(response) -> str:
    return response.get_data(as_text=True)


def stored(db, user=None) -> list[PracticeAnswer]:
    query = select(PracticeAnswer).order_by(PracticeAnswer.id)
    if user is not None:
        query = query.where(PracticeAnswer.user_id == user.id)
    return list(db.scalars(query))


def answer_count(db) -> int:
    return db.scalar(select(func.count()).select_from(PracticeAnswer))


def open_question(client, db, secret, url="/latihan/A/cepat"):
    """GET a quick-practice question; returns (token, the question as the server sees it)."""
    response = client.get(url)
    assert response.status_code == 200
    token = TOKEN_RE.search(text(response)).group(1)
    return token, practice.read_question(db, token, secret)


def answer(client, token, choice):
    return client.submit("/latihan/cepat/jawab", {"token": token, "choice": str(choice)})


# -- choosing and studying ---------------------------------------------------------------------


def test_index_offers_both_classes_and_every_mode(client, bank):
    page = text(client.get("/latihan/"))
    for cls in "AC":
        for path in ("topik", "cepat", "simulasi"):
            assert f'href="/latihan/{cls}/{path}"' in page


def test_pages_have_no_inline_script_or_style(client, bank):
    """The CSP forbids inline scripts and styles; practice.js and practice.css are files (a JSON
    data block, the read-aloud messages, is not run)."""
    for url in ("/latihan/", "/latihan/A/topik", "/latihan/A/topik/rambu", "/latihan/C/cepat",
                "/latihan/A/simulasi"):  # fmt: skip
        page = text(client.get(url))
        assert "css/practice.css" in page
        assert re.search(r'<script(?![^>]*\s(src=|type="application/json"))', page) is None, url
        assert re.search(r"\sstyle=", page) is None, url


def test_topics_are_listed_with_their_counts(client, english, pool_a):
    page = text(client.get("/latihan/A/topik"))
    counts = Counter(v.topic for v in pool_a)
    for topic, n in counts.items():
        link = re.search(rf'href="/latihan/A/topik/{topic}">.*?(\d+) questions', page, re.S)
        assert int(link.group(1)) == n, topic
    assert f"{len(pool_a)} questions for SIM A (car)." in page


def test_topic_page_shows_key_explanation_and_legal_basis_a_page_at_a_time(client, pool_a):
    rambu = sorted((v for v in pool_a if v.topic == "rambu"), key=lambda v: v.item.code)
    assert len(rambu) > 20  # two pages
    first, second = (text(client.get(f"/latihan/A/topik/rambu?halaman={p}")) for p in (1, 2))
    for version in rambu[:20]:
        assert str(escape(version.stem)) in first
        assert str(escape(version.explanation)) in first
        assert str(escape(version.legal_basis)) in first
        key = version.options[version.key_index]["text"]
        assert re.search(
            r'<li class="opt key">\s*<span class="letter"[^>]*>\w</span>\s*'
            r'<span class="opt-text" data-speak-part lang="id">'
            rf"{re.escape(str(escape(key)))}</span>",
            first,
        ), version.item.code
        if version.media:
            assert f'src="/bank/media/{version.id}/A.svg"' in first
    assert str(escape(rambu[20].stem)) in second
    assert str(escape(rambu[20].stem)) not in first
    assert client.get("/latihan/A/topik/rambu?halaman=9").status_code == 404
    assert client.get("/latihan/A/topik/bukan_topik").status_code == 404


def test_nothing_published_yet(client, english):
    response = client.get("/latihan/A/cepat")
    assert response.status_code == 404
    assert "No questions are published for SIM A yet." in text(response)


# -- quick practice ----------------------------------------------------------------------------


def test_quick_question_is_shuffled_on_the_server_and_graded_there(
    client, db, secret, english, bank
):
    token, quick = open_question(client, db, secret)
    version = quick.question.version
    page = text(client.get("/latihan/A/cepat"))  # another draw, for the form's shape
    assert 'name="choice"' in page
    assert 'name="token"' in page
    assert "key" not in re.search(r"<form method=\"post\".*?</form>", page, re.S).group(0)

    right = answer(client, token, quick.question.key_position)
    assert right.status_code == 200
    assert "Correct!" in text(right)
    # English pages show the item in English
    assert str(escape(version.text("en").explanation)) in text(right)
    assert str(escape(version.legal_basis)) in text(right)

    wrong_position = (quick.question.key_position + 1) % len(quick.question.order)
    wrong = answer(client, token, wrong_position)
    letter = "ABCD"[quick.question.key_position]
    assert f"Not correct. The correct answer is {letter}." in text(wrong)
    assert answer_count(db) == 0  # anonymous practice keeps nothing


def test_the_shown_position_is_mapped_through_the_signed_order(client, db, secret, pool_a):
    """The same position means a different option under another order: the server decides."""
    version = next(v for v in pool_a if len(v.options) == 3)
    key = version.key_index
    for order in ((0, 1, 2), (2, 1, 0), (1, 2, 0)):
        question = practice.Question(version, order)
        token = practice.sign_question(practice.QuickQuestion(question, "A", f"ref{order}"), secret)
        page = text(answer(client, token, 0))
        assert ('class="verdict ok"' in page) == (order[0] == key)


def test_quick_answers_of_an_applicant_are_stored_once(client, db, secret, login, bank):
    user = login(Role.APPLICANT)
    token, quick = open_question(client, db, secret, "/latihan/A/cepat?topik=rambu")
    assert (quick.topic, quick.question.version.topic) == ("rambu", "rambu")
    wrong = (quick.question.key_position + 1) % len(quick.question.order)
    assert answer(client, token, wrong).status_code == 200
    assert answer(client, token, wrong).status_code == 200  # reload: the same form again
    (row,) = stored(db, user)
    version = quick.question.version
    assert (row.item_version_id, row.vehicle_class, row.mode) == (
        version.id,
        "A",
        PracticeMode.QUICK,
    )
    assert row.chosen_option == quick.question.order[wrong] != version.key_index
    assert row.correct is False
    assert (row.topic, row.category) == (version.topic, version.category)
    assert row.paper_ref == quick.ref

    token, quick = open_question(client, db, secret)
    answer(client, token, quick.question.key_position)
    assert [r.correct for r in stored(db, user)] == [False, True]


def test_staff_practice_is_not_stored(client, db, secret, login, bank):
    login(Role.EXAMINER)
    token, quick = open_question(client, db, secret)
    assert answer(client, token, 0).status_code == 200
    assert answer_count(db) == 0


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda token, secret, q: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
                     id="tampered"),
        pytest.param(lambda token, secret, q: practice.sign_question(q, "not-the-secret"),
                     id="other-key"),
        pytest.param(lambda token, secret, q: "", id="missing"),
        pytest.param(
            lambda token, secret, q: practice.sign_question(
                practice.QuickQuestion(practice.Question(q.question.version, (0, 0, 0)), "A", "r"),
                secret,
            ),
            id="bad-order",
        ),
        pytest.param(
            lambda token, secret, q: practice.sign_question(
                practice.QuickQuestion(q.question, "C" if "C" not in q.question.version.class_list
                                       else "B", "r"), secret),
            id="wrong-class",
        ),
    ],
)  # fmt: skip
def test_forged_question_tokens_are_refused_and_nothing_is_stored(
    client, db, secret, login, english, bank, forge
):
    login(Role.APPLICANT)
    token, quick = open_question(client, db, secret)
    response = answer(client, forge(token, secret, quick), 0)
    assert response.status_code == 400
    assert "This question could not be checked" in text(response)
    assert "Nothing was saved." in text(response)
    assert answer_count(db) == 0


def test_a_version_outside_every_published_bank_is_refused(
    client, db, secret, login, make_user, bank
):
    """Even a correctly signed token may only name a published version (not a draft)."""
    examiner = make_user(Role.EXAMINER)
    login(Role.APPLICANT)
    _token, quick = open_question(client, db, secret)
    version = quick.question.version
    content = services.content_of(version)
    draft = authoring_services.edit_item(
        db, version.item, replace(content, stem=content.stem + " (draf)"), author=examiner
    )
    db.commit()
    token = practice.sign_question(
        practice.QuickQuestion(practice.Question(draft, quick.question.order), "A", "r"), secret
    )
    assert answer(client, token, 0).status_code == 400
    assert answer_count(db) == 0


@pytest.mark.parametrize(("choice", "status"), [("", 422), ("7", 422), ("-1", 422), ("x", 422)])
def test_a_missing_or_impossible_choice_is_refused(client, db, secret, login, bank, choice, status):
    login(Role.APPLICANT)
    token, _quick = open_question(client, db, secret)
    response = client.submit("/latihan/cepat/jawab", {"token": token, "choice": choice})
    assert response.status_code == status
    assert 'name="choice"' in text(response)  # the same question, asked again
    assert token in text(response)
    assert answer_count(db) == 0


def test_next_question_skips_the_one_just_answered(db, pool_a):
    rambu = [v for v in pool_a if v.topic == "rambu"][:2]
    for _ in range(20):
        quick = practice.new_quick_question(rambu, "A", topic="rambu", exclude=rambu[0].id)
        assert quick.question.version is rambu[1]


# -- mock exam ---------------------------------------------------------------------------------


def start_mock(client, db, cls="A") -> practice_mock.MockPaper:
    response = client.submit("/latihan/simulasi/mulai", {"kelas": cls})
    assert response.status_code == 302
    assert response.headers["Location"] == "/latihan/simulasi/kerjakan"
    with client.session_transaction() as session:
        return practice_mock.load_mock_paper(db, session["practice_mock"])


@pytest.mark.parametrize("cls", ["A", "C"])
def test_mock_paper_follows_the_blueprint(client, db, bank, cls):
    paper = start_mock(client, db, cls)
    assert len(paper.questions) == 30
    counts = Counter(q.version.category for q in paper.questions)
    assert counts == {Category.PERSEPSI_BAHAYA: 12, Category.WAWASAN: 9, Category.PENGETAHUAN: 9}
    published = {v.id for v in services.bank_item_versions(db, bank, cls)}
    assert {q.version.id for q in paper.questions} <= published
    assert len({q.version.id for q in paper.questions}) == 30
    assert all(sorted(q.order) == list(range(len(q.order))) for q in paper.questions)
    assert any(list(q.order) != sorted(q.order) for q in paper.questions)  # shuffled

    page = text(client.get("/latihan/simulasi/kerjakan"))
    assert page.count('class="question mock-q"') == 30
    assert page.count('data-goto="') >= 30 + 29  # the grid, and next/previous links
    assert 'data-seconds-left="1800"' in page or 'data-seconds-left="1799"' in page
    for index, question in enumerate(paper.questions):
        assert page.count(f'name="q{index}"') == len(question.order)
    # A reload shows the same paper.
    assert REF_RE.search(text(client.get("/latihan/simulasi/kerjakan"))).group(1) == paper.ref


def test_mock_draw_refuses_a_bank_too_small_for_the_blueprint(pool_a):
    hazard = [v for v in pool_a if v.category == Category.PERSEPSI_BAHAYA]
    with pytest.raises(PracticeUnavailable):
        practice_mock.draw_mock_paper(hazard[:11] + [v for v in pool_a if v not in hazard])


def mock_answers(paper, right: int, wrong: int) -> dict:
    """Form fields: the first ``right`` answered correctly, the next ``wrong`` wrongly."""
    fields = {}
    for index, question in enumerate(paper.questions[: right + wrong]):
        key = question.key_position
        fields[f"q{index}"] = str(key if index < right else (key + 1) % len(question.order))
    return fields


@pytest.mark.parametrize(("right", "passed"), [(21, True), (20, False)])
def test_mock_is_graded_per_category_with_the_pass_mark(client, db, english, bank, right, passed):
    paper = start_mock(client, db)
    response = client.submit(
        "/latihan/simulasi/selesai", {"ref": paper.ref, **mock_answers(paper, right, 5)}
    )
    assert response.headers["Location"] == "/latihan/simulasi/hasil"
    page = text(client.get("/latihan/simulasi/hasil"))
    verdict = "Passed" if passed else "Not passed"
    assert f"{verdict}:\n    {right} of 30 correct (at least 21 needed)." in page
    expected = Counter(q.version.category for q in paper.questions[:right])
    labels = {"persepsi_bahaya": "Hazard perception", "wawasan": "Road conduct",
              "pengetahuan": "Knowledge"}  # fmt: skip
    for category, label in labels.items():
        total = 12 if category == "persepsi_bahaya" else 9
        assert re.search(
            rf"<th scope=\"row\">{label}</th><td>{expected[category]} of {total}</td>", page
        )
    assert f"Answered {right + 5} of 30." in page
    # The review: every question with its key and explanation, the applicant's choice marked.
    assert page.count('<article class="question"') == 30
    assert page.count('class="tag tag-key">Correct answer<') == 30
    assert page.count(">Not answered<") == 30 - right - 5
    for question in paper.questions:
        assert str(escape(question.version.text("en").explanation)) in page
    assert f'data-clear-ref="{paper.ref}"' in page
    assert answer_count(db) == 0  # anonymous


def test_mock_answers_of_an_applicant_are_stored_once(client, db, login, bank):
    user = login(Role.APPLICANT)
    paper = start_mock(client, db, "C")
    fields = {"ref": paper.ref, **mock_answers(paper, 3, 2)}
    client.submit("/latihan/simulasi/selesai", fields)
    rows = stored(db, user)
    assert len(rows) == 5  # unanswered questions are not history
    assert {r.mode for r in rows} == {PracticeMode.MOCK}
    assert {r.vehicle_class for r in rows} == {"C"}
    assert {r.paper_ref for r in rows} == {paper.ref}
    by_version = {r.item_version_id: r for r in rows}
    for index, question in enumerate(paper.questions[:5]):
        row = by_version[question.version.id]
        assert row.chosen_option == question.order[int(fields[f"q{index}"])]
        assert row.correct == (index < 3)

    again = client.submit("/latihan/simulasi/selesai", fields)  # back button, send again
    assert again.headers["Location"] == "/latihan/simulasi/hasil"
    assert len(stored(db, user)) == 5


def test_mock_submit_for_a_closed_paper_is_refused(client, db, english, login, bank):
    login(Role.APPLICANT)
    old = start_mock(client, db)
    start_mock(client, db)  # a new paper replaces the old one
    response = client.submit("/latihan/simulasi/selesai", {"ref": old.ref, "q0": "0"})
    assert response.status_code == 409
    assert "This mock exam is no longer open" in text(response)
    assert answer_count(db) == 0


def test_mock_answer_that_is_not_an_option_is_refused(client, db, login, bank):
    login(Role.APPLICANT)
    paper = start_mock(client, db)
    response = client.submit("/latihan/simulasi/selesai", {"ref": paper.ref, "q0": "0", "q1": "9"})
    assert response.status_code == 422
    assert answer_count(db) == 0
    assert client.get("/latihan/simulasi/kerjakan").status_code == 200  # still open


def test_mock_pages_without_a_paper_go_back_to_the_start(client, bank):
    for url in ("/latihan/simulasi/kerjakan", "/latihan/simulasi/hasil"):
        response = client.get(url)
        assert (response.status_code, response.headers["Location"]) == (302, "/latihan/")
    assert client.submit("/latihan/simulasi/mulai", {"kelas": "B"}).status_code == 422


def test_time_used_is_shown_and_over_time_is_flagged(client, db, english, frozen_clock, bank):
    paper = start_mock(client, db)
    frozen_clock.advance(minutes=31)
    client.submit("/latihan/simulasi/selesai", {"ref": paper.ref})
    page = text(client.get("/latihan/simulasi/hasil"))
    assert "Time used: 31 of 30 minutes." in page
    assert "Over the time limit" in page


# -- weak topics -------------------------------------------------------------------------------


@pytest.fixture
def history(db, make_user, pool_a):
    """Answers worked out by hand (class, topic, correct answers out of attempts):
    A rambu 1/4 = 25%, A marka 1/2 = 50%, A kecepatan 2/4 = 50%, A apill 3/3 = 100%,
    C rambu 0/1 = 0%; another applicant's answers must not count."""
    applicant, other = make_user(Role.APPLICANT), make_user(Role.APPLICANT)
    version = pool_a[0]
    plan = [(applicant, "A", "rambu", [True, False, False, False]),
            (applicant, "A", "marka", [False, True]),
            (applicant, "A", "kecepatan", [True, False, True, False]),
            (applicant, "A", "apill", [True, True, True]),
            (applicant, "C", "rambu", [False]),
            (other, "A", "apill", [False] * 5)]  # fmt: skip
    for user, cls, topic, results in plan:
        for n, ok in enumerate(results):
            row = PracticeAnswer(user_id=user.id, item_version_id=version.id, chosen_option=0,
                                 paper_ref=f"{cls}{topic}{n}", vehicle_class=cls, correct=ok,
                                 mode=PracticeMode.QUICK, topic=topic, category=version.category,
                                 answered_at=version.created_at)  # fmt: skip
            db.add(row)
    db.commit()
    return applicant


def test_weak_topics_weakest_first(db, history):
    stats = practice.query_weak_topics(db, history)
    assert [(s.vehicle_class, s.topic, s.correct, s.attempts, s.percent) for s in stats] == [
        ("C", "rambu", 0, 1, 0),
        ("A", "rambu", 1, 4, 25),
        ("A", "kecepatan", 2, 4, 50),  # tie at 50%: more attempts first
        ("A", "marka", 1, 2, 50),
        ("A", "apill", 3, 3, 100),
    ]


def test_weak_topics_page(client, english, history, bank):
    from tests.conftest import DEFAULT_PASSWORD

    client.login(history.email, DEFAULT_PASSWORD)
    page = text(client.get("/latihan/topik-lemah"))
    section_a = page[page.index("SIM A (car)") :]
    order = [m.group(1) for m in re.finditer(r"/latihan/A/cepat\?topik=(\w+)", section_a)]
    assert order == ["rambu", "kecepatan", "marka", "apill"]
    assert page.index("<h2>SIM A (car)</h2>") < page.index("<h2>SIM C (motorcycle)</h2>")
    assert "1 of 4 answers correct" in page
    assert '<meter min="0" max="100" low="50" high="70" optimum="100" value="25">' in page


def test_weak_topics_empty(client, english, login):
    login(Role.APPLICANT)
    page = text(client.get("/latihan/topik-lemah"))
    assert "You have not answered any practice questions yet." in page


def test_history_feeds_weak_topics(client, db, secret, login, pool_a):
    """End to end on the server: wrong quick answers make their topic the weakest."""
    user = login(Role.APPLICANT)
    other = next(v.topic for v in pool_a if v.topic != "rambu")
    for _ in range(2):
        token, quick = open_question(client, db, secret, f"/latihan/A/cepat?topik={other}")
        answer(client, token, (quick.question.key_position + 1) % len(quick.question.order))
    token, quick = open_question(client, db, secret, "/latihan/A/cepat?topik=rambu")
    answer(client, token, quick.question.key_position)
    stats = practice.query_weak_topics(db, user)
    assert [(s.topic, s.correct, s.attempts) for s in stats] == [(other, 0, 2), ("rambu", 1, 1)]


def test_the_mock_exam_copies_the_official_blueprint_in_force(client, db, english, bank):
    """An admin's new SIM C blueprint (10/5/5 in 20 minutes, 14 to pass) shapes the next mock
    paper for C; A keeps the default; a paper keeps its shape when the blueprint changes again."""
    import json

    from ujisim.core import clock
    from ujisim.exam.models import ExamBlueprint

    def new_blueprint(counts, minutes, pass_mark, version):
        db.add(ExamBlueprint(vehicle_class="C", version=version, counts_json=json.dumps(counts),
                             time_limit_s=minutes * 60, pass_mark=pass_mark,
                             created_at=clock.now()))  # fmt: skip
        db.commit()

    new_blueprint({"persepsi_bahaya": 10, "wawasan": 5, "pengetahuan": 5}, 20, 14, 1)
    start = text(client.get("/latihan/C/simulasi"))
    assert "20 questions drawn at random, 20 minutes, passed with at least 14" in start
    assert "30 questions in 30 minutes" in text(client.get("/latihan/"))  # SIM A's card
    paper = start_mock(client, db, "C")
    assert Counter(q.version.category for q in paper.questions) == {
        "persepsi_bahaya": 10,
        "wawasan": 5,
        "pengetahuan": 5,
    }
    assert paper.deadline == paper.started_at + timedelta(minutes=20)
    assert len(start_mock(client, db, "A").questions) == 30

    paper = start_mock(client, db, "C")
    new_blueprint({"persepsi_bahaya": 12, "wawasan": 9, "pengetahuan": 9}, 30, 21, 2)
    answers = {f"q{i}": str(q.key_position) for i, q in enumerate(paper.questions[:14])}
    client.submit("/latihan/simulasi/selesai", {"ref": paper.ref, **answers})
    result = text(client.get("/latihan/simulasi/hasil"))
    assert "Passed:" in result
    assert "14 of 20 correct (at least 14 needed)." in result
    assert "of 20 minutes" in result

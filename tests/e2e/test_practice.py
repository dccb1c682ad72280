"""Practice in real Chromium on a 360 px screen: a quick-practice answer with its feedback, a
short path through a mock exam (one question per screen, grid, reload keeps the answers, result
and review) and a whole one answered to the end. English is chosen on the page so the
assertions do not depend on the catalogue."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import no_horizontal_scroll
from tests.e2e.test_exam_page import PLAYING
from ujisim.core import speech

pytestmark = pytest.mark.e2e


def visible_question(page):
    return page.locator(".mock-q.current")


@pytest.fixture
def snap(page, shot):
    """A full-page screenshot taken from the top (the sticky timer bar sits where it belongs)."""

    def take(name: str):
        page.evaluate("window.scrollTo(0, 0)")
        return shot(name)

    return take


def test_quick_practice_and_mock_exam_on_a_phone(page, live_server, snap):
    page.goto(f"{live_server}/latihan/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("link", name="Latihan", exact=True)).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Practise for the SIM theory exam")
    assert no_horizontal_scroll(page)
    snap("choose")

    # Quick practice for SIM C: answer, see the verdict, the key and the explanation.
    page.locator(".card", has_text="SIM C (motorcycle)").get_by_role(
        "link", name=re.compile("^Quick practice")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quick practice")
    options = page.locator("label.choice")
    expect(options.first).to_be_visible()
    has_speech = page.evaluate("'speechSynthesis' in window")
    speak = page.get_by_role("button", name="Read aloud")
    if has_speech:
        expect(speak).to_be_visible()
        speak.click()
        speak.click()  # the second press stops reading
        expect(speak).to_have_attribute("aria-pressed", "false")
    else:
        expect(speak).to_be_hidden()
    assert options.first.bounding_box()["height"] >= 48
    assert no_horizontal_scroll(page)
    snap("quick-question")

    options.first.click()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator(".verdict")).to_have_text(
        re.compile(r"^\s*(Correct!|Not correct\. The correct answer is [A-D]\.)\s*$")
    )
    expect(page.locator(".opt.key .tag-key")).to_have_text("Correct answer")
    expect(page.locator(".tag-chosen")).to_have_text("Your answer")
    expect(page.locator(".explain")).to_contain_text("Explanation:")
    expect(page.locator(".explain")).to_contain_text("Legal basis:")
    assert no_horizontal_scroll(page)
    snap("quick-feedback")
    page.get_by_role("link", name="Next question").click()
    expect(page.get_by_role("button", name="Check answer")).to_be_visible()

    # Mock exam for SIM A.
    page.get_by_role("link", name="Practice", exact=True).first.click()
    page.locator(".card", has_text="SIM A (car)").get_by_role(
        "link", name=re.compile("^Mock exam")
    ).click()
    expect(page.locator(".facts-list")).to_contain_text("Hazard perception: 12")
    page.get_by_role("button", name="Start the mock exam").click()
    expect(page.locator(".mock-q")).to_have_count(30)
    expect(page.locator(".mock-q:visible")).to_have_count(1)
    expect(visible_question(page).locator("h2")).to_have_text("Question 1 of 30")
    expect(page.locator(".timer")).to_have_text(re.compile(r"^Time left: (30:00|29:\d\d)$"))
    expect(page.locator(".qgrid a")).to_have_count(30)
    assert no_horizontal_scroll(page)
    snap("mock-question-1")

    visible_question(page).locator("label.choice").first.click()
    visible_question(page).get_by_role("link", name="Next").click()
    expect(visible_question(page).locator("h2")).to_have_text("Question 2 of 30")
    expect(page).to_have_url(re.compile(r"#q2$"))
    visible_question(page).locator("label.choice").nth(1).click()
    page.locator(".qgrid").get_by_role("link", name="Question 5", exact=True).click()
    expect(visible_question(page).locator("h2")).to_have_text("Question 5 of 30")
    visible_question(page).locator("label.choice").last.click()
    expect(page.locator(".answered")).to_have_text("Answered: 3 of 30")

    # A reload keeps the paper, the screen and the answers.
    page.reload()
    expect(visible_question(page).locator("h2")).to_have_text("Question 5 of 30")
    expect(page.locator(".answered")).to_have_text("Answered: 3 of 30")
    expect(page.locator(".qgrid a.done")).to_have_count(3)
    expect(page.locator("#q1 input:checked")).to_have_count(1)
    assert no_horizontal_scroll(page)
    snap("mock-after-reload")

    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mock exam result · SIM A (car)")
    expect(page.locator(".verdict").first).to_have_text(
        re.compile(r"Not passed:\s+[0-3] of 30 correct \(at least 21 needed\)\.")
    )
    expect(page.locator(".scores tbody tr")).to_have_count(3)
    expect(page.locator("article.question")).to_have_count(30)
    expect(page.locator("article.question .tag-key", has_text="Correct answer")).to_have_count(30)
    expect(page.get_by_text("Answered 3 of 30.")).to_be_visible()
    # practice.js clears the submitted paper once the result page has loaded (it is deferred)
    page.wait_for_function("!Object.keys(localStorage).some(k => k.startsWith('ujisim.mock.'))")
    assert no_horizontal_scroll(page)
    snap("mock-result")


def test_applicant_studies_a_topic_and_sees_weak_topics(page, live_server, snap):
    page.goto(f"{live_server}/register")
    page.get_by_label("Nama lengkap (sesuai KTP)").fill("Bayu Saputra")
    page.get_by_label("NIK (16 digit)").fill("3174050507990005")
    page.get_by_label("Tanggal lahir").fill("1999-07-05")
    page.get_by_label("Surel (e-mail)").fill("bayu@example.id")
    page.get_by_label("Nomor ponsel").fill("0812 3333 4444")
    page.get_by_label("Kata sandi", exact=True).fill("rambu-dilarang-parkir")
    page.get_by_label("Ulangi kata sandi").fill("rambu-dilarang-parkir")
    page.get_by_role("button", name="Buat akun").click()
    expect(page.get_by_role("status")).to_contain_text("Bayu Saputra")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.wait_for_load_state()  # leaving a page while it loads aborts its requests

    page.goto(f"{live_server}/latihan/A/topik")
    page.get_by_role("link", name=re.compile("^Traffic lights")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Traffic lights")
    first = page.locator("article.question").first
    expect(first.locator(".opt.key .tag-key")).to_have_text("Correct answer")
    expect(first.locator(".explain")).to_contain_text("Legal basis:")
    assert no_horizontal_scroll(page)
    snap("study-topic")

    # Two quick answers on traffic lights (the key is unknown here: the page never holds it).
    page.get_by_role("link", name="Practise this topic").first.click()
    for round_ in range(2):
        if round_:
            page.get_by_role("link", name="Next question").click()
        page.locator("label.choice").first.click()
        page.get_by_role("button", name="Check answer").click()
        expect(page.locator(".verdict")).to_be_visible()
    page.wait_for_load_state()
    page.goto(f"{live_server}/latihan/topik-lemah")
    expect(page.get_by_role("heading", level=1)).to_have_text("My weak topics")
    card = page.locator(".weak-list .card").first
    expect(card).to_contain_text("Traffic lights")
    expect(card).to_contain_text("of 2 answers correct")
    expect(card.get_by_role("link", name="Practise this topic")).to_have_attribute(
        "href", "/latihan/A/cepat?topik=apill"
    )
    assert no_horizontal_scroll(page)
    snap("weak-topics")


def test_without_speech_synthesis_read_aloud_plays_the_servers_recording(page, live_server):
    page.add_init_script("delete Window.prototype.speechSynthesis; delete window.speechSynthesis;")
    page.goto(f"{live_server}/latihan/A/cepat")
    expect(page.locator("label.choice").first).to_be_visible()
    assert page.evaluate("'speechSynthesis' in window") is False
    speak = page.get_by_role("button", name="Bacakan")
    with page.expect_response(re.compile(r"/bank/speech/\d+/[0-3]{3,4}$")) as audio:
        speak.click()
    # espeak-ng's reading of this question, its options in the order shown
    stem = page.locator("legend.stem").inner_text()
    options = page.locator("label.choice .opt-text").all_inner_texts()
    made = speech.compress(speech.synthesize(speech.spoken_text(stem, options), "id"))[0]
    assert audio.value.body() == made
    expect(page.locator(".speak-note")).to_contain_text("tidak punya suara untuk Bahasa Indonesia")
    page.wait_for_function(PLAYING)
    speak.click()  # a second press stops it
    expect(speak).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("document.querySelector('.speak-audio').paused")


def test_a_whole_mock_exam_answered_screen_by_screen(page, live_server, snap):
    """All 30 questions of a SIM C mock exam answered one screen at a time; the review shows
    every chosen answer where it was given and the score matches the questions marked correct."""
    page.goto(f"{live_server}/latihan/C/simulasi")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Start the mock exam").click()
    chosen = []
    for n in range(1, 31):
        question = visible_question(page)
        expect(question.locator("h2")).to_have_text(f"Question {n} of 30")
        options = question.locator("label.choice")
        pick = options.nth(n % options.count())
        chosen.append(pick.locator(".opt-text").inner_text().strip())
        pick.click()
        expect(page.locator(".answered")).to_have_text(f"Answered: {n} of 30")
        if n < 30:
            question.get_by_role("link", name="Next").click()
    expect(page.locator(".qgrid a.done")).to_have_count(30)
    snap("mock-all-answered")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Mock exam result · SIM C (motorcycle)"
    )
    expect(page.get_by_text("Answered 30 of 30.")).to_be_visible()
    for n, text in enumerate(chosen, 1):
        mine = page.locator(f"#r{n} .opt", has=page.locator(".tag-chosen"))
        expect(mine.locator(".opt-text")).to_have_text(text)
    correct = page.locator(".review-grid a.ok").count()
    assert page.locator(".review-grid a.unanswered").count() == 0
    verdict = "Passed" if correct >= 21 else "Not passed"
    expect(page.locator(".verdict").first).to_have_text(
        re.compile(rf"^\s*{verdict}:\s+{correct} of 30 correct \(at least 21 needed\)\.\s*$")
    )
    snap("mock-all-result")

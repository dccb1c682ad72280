"""The exam page in real Chromium when things overlap: two tabs and two devices of one attempt,
an AVIS answer arriving too late, a proctoring pause at the deadline, a submit during a save.

A time limit is passed by running the page's clock on (Playwright's ``page.clock``) and, where the
server takes part, moving the live server's clock on by as much (``app.config["CLOCK"]``), not by
waiting for it."""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.test_exam_flow import (
    add_applicant,
    confirm_identity,
    log_in,
    queued_steps,
    saved_answers,
)
from ujisim.core import clock
from ujisim.core.db import get_session
from ujisim.exam import attempts
from ujisim.exam.models import Attempt, ExamBlueprint, Grade
from ujisim.exam.policy import current_blueprint

pytestmark = pytest.mark.e2e
SAVED = "Semua jawaban tersimpan."
PAUSED = "Ujian dijeda."


def watch(page) -> list[str]:
    """Script errors of an extra tab (the ``page`` fixture watches its own)."""
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def begin(page, live_server, cls: str = "C", avis: bool = False) -> str:
    """Start an exam of class ``cls``; ``avis``: the questions have their own time limits, and
    this returns once the server has recorded question 1's opening (its countdown starts
    there: an opening the page could not send reaches the server with the answer instead)."""
    page.goto(f"{live_server}/ujian/")
    page.locator(f"input[name=vehicle_class][value={cls}]").check()
    confirm_identity(page)
    page.get_by_role("button", name="Mulai ujian baru").click()
    if avis:
        with page.expect_response(lambda r: r.url.endswith("/open") and r.ok):
            page.get_by_role("button", name="Mulai ujian").click()
    else:
        page.get_by_role("button", name="Mulai ujian").click()
    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 30")
    return page.url.rstrip("/").split("/")[-1]


def pick(page, question: int, option: int) -> None:
    page.get_by_role("button", name=f"Soal {question}", exact=True).click()
    expect(page.locator("#q-number")).to_have_text(f"Soal {question} dari 30")
    page.locator(".option").nth(option).click()


def server_answers(live_app, public_id) -> dict[int, int]:
    with live_app.app_context():
        session = get_session()
        attempt = session.scalars(select(Attempt).where(Attempt.public_id == public_id)).one()
        return attempts.current_answers(session, attempt)


def set_state(live_app, public_id, state) -> None:
    with live_app.app_context():
        session = get_session()
        attempt = session.scalars(select(Attempt).where(Attempt.public_id == public_id)).one()
        attempts.advance(session, attempt, state)
        session.commit()


def attempt_row(live_app, public_id) -> Attempt:
    with live_app.app_context():
        return get_session().scalars(select(Attempt).where(Attempt.public_id == public_id)).one()


def test_two_tabs_of_one_exam_save_every_answer(page, live_server, live_app):
    add_applicant(live_app, "dua-tab@example.id", "Tika")
    log_in(page, live_server, "dua-tab@example.id")
    public_id = begin(page, live_server)
    second = page.context.new_page()
    problems = watch(second)
    second.goto(page.url)
    expect(second.locator("#q-number")).to_have_text("Soal 1 dari 30")
    for tab, question in ((page, 1), (second, 2), (page, 3), (second, 4)):
        pick(tab, question, 1)
        expect(tab.locator("#save-status")).to_have_text(SAVED)
    # each "saved" is true: the server holds every answer of both tabs
    assert server_answers(live_app, public_id) == {0: 1, 1: 1, 2: 1, 3: 1}
    # a tab shows what the other one answered
    expect(page.get_by_role("button", name="Soal 4", exact=True)).to_have_class(
        re.compile("answered")
    )
    second.close()
    assert problems == []


def test_answers_queued_on_one_device_survive_another_device_saving(
    page, browser, live_server, live_app
):
    add_applicant(live_app, "dua-hp@example.id", "Hadi")
    log_in(page, live_server, "dua-hp@example.id")
    public_id = begin(page, live_server)
    pick(page, 1, 0)
    expect(page.locator("#save-status")).to_have_text(SAVED)
    # device A loses the way to the server: two answers wait in its localStorage
    page.route("**/answers", lambda route: route.abort("internetdisconnected"))
    pick(page, 5, 1)
    pick(page, 6, 0)
    expect(page.locator("#save-status")).to_have_text("Menyimpan…")
    # device B (another browser, logged in again) saves three answers meanwhile
    other = browser.new_context(viewport={"width": 360, "height": 760}, locale="id-ID")
    phone = other.new_page()
    problems = watch(phone)
    log_in(phone, live_server, "dua-hp@example.id")
    phone.goto(page.url)
    for question in (2, 3, 4):
        pick(phone, question, 1)
        expect(phone.locator("#save-status")).to_have_text(SAVED)
    other.close()
    assert problems == []
    # device A comes back and reloads: its queued answers are sent with fresh numbers
    page.unroute("**/answers")
    page.reload()
    expect(page.locator("#save-status")).to_have_text(SAVED)
    expect(page.locator("#answered")).to_have_text("6")
    assert server_answers(live_app, public_id) == {0: 0, 1: 1, 2: 1, 3: 1, 4: 1, 5: 0}


def test_between_two_devices_the_later_click_on_a_question_counts(
    page, browser, live_server, live_app
):
    """Device A, offline, answers questions 5 and 7. Device B answers question 7 after A did
    and question 9 before A's later answer to it. When A is back, the later click of each
    question is what the server holds, and A's page says which of its answers gave way."""
    add_applicant(live_app, "dua-klik@example.id", "Rina")
    log_in(page, live_server, "dua-klik@example.id")
    public_id = begin(page, live_server)
    page.route("**/answers", lambda route: route.abort("internetdisconnected"))
    pick(page, 5, 0)
    pick(page, 7, 0)
    other = browser.new_context(viewport={"width": 360, "height": 760}, locale="id-ID")
    phone = other.new_page()
    problems = watch(phone)
    log_in(phone, live_server, "dua-klik@example.id")
    phone.goto(page.url)
    for question in (7, 9):  # 7: after A's click; 9: before A's click below
        pick(phone, question, 1)
        expect(phone.locator("#save-status")).to_have_text(SAVED)
    other.close()
    assert problems == []
    time.sleep(1.1)  # A's click on 9 comes clearly after B's answer reached the server
    pick(page, 9, 0)
    page.wait_for_function(
        f"""() => Object.keys(localStorage).filter((k) => k.startsWith('ujisim:{public_id}:queue'))
            .flatMap((k) => JSON.parse(localStorage.getItem(k))).length === 3"""
    )
    assert [s["position"] for s in queued_steps(page, public_id)] == [4, 6, 8]
    page.unroute("**/answers")
    page.reload()
    expect(page.locator("#save-status")).to_have_text(SAVED)
    expect(page.locator("#notice")).to_have_text(
        "Soal 7 dijawab lagi kemudian di perangkat lain; jawaban itu yang disimpan."
    )
    assert server_answers(live_app, public_id) == {4: 0, 6: 1, 8: 0}
    assert queued_steps(page, public_id) == []
    page.get_by_role("button", name="Soal 7", exact=True).click()
    expect(page.locator(".option").nth(1)).to_have_attribute("aria-checked", "true")
    expect(page.locator(".option").nth(0)).to_have_attribute("aria-checked", "false")


@pytest.fixture
def blueprint_version(live_app):
    """``blueprint_version(cls, **columns)``: a new version in force for one test only."""
    made = []

    def new_version(cls, **columns):
        with live_app.app_context():
            session = get_session()
            version = current_blueprint(session, cls).version + 1
            session.add(ExamBlueprint(vehicle_class=cls, version=version,
                                      created_at=clock.now(), **columns))  # fmt: skip
            session.commit()
        made.append(cls)

    yield new_version
    for cls in made:  # back to the defaults
        with live_app.app_context():
            session = get_session()
            version = current_blueprint(session, cls).version + 1
            session.add(ExamBlueprint(vehicle_class=cls, version=version, created_at=clock.now()))
            session.commit()


def test_an_avis_answer_arriving_too_late_does_not_end_the_exam(
    page, live_server, live_app, blueprint_version
):
    # a minute a question, run on by the page's clock and the server's, not waited for
    blueprint_version("A", item_time_limit_s=60, grace_s=0)
    page.clock.install()
    add_applicant(live_app, "avis-telat@example.id", "Wati")
    log_in(page, live_server, "avis-telat@example.id")
    public_id = begin(page, live_server, "A", avis=True)
    page.context.set_offline(True)
    page.locator(".option").nth(1).click()  # question 1, while its time runs
    page.clock.run_for(60_500)  # question 1's minute runs out on the page, still offline
    expect(page.locator("#q-number")).to_have_text("Soal 2 dari 30")
    page.locator(".option").nth(0).click()  # question 2, in time (its opening could not be sent)
    # the minute has passed on the server too (question 1 was opened there before the page went
    # offline); question 2 opens on the server when its answer arrives
    live_app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(seconds=65)
    try:
        page.context.set_offline(False)
        # question 1's answer reached the server after its limit: only that one is dropped
        notice = re.compile(r"(question|soal) 1\b", re.I)
        expect(page.locator("#notice")).to_contain_text(notice, timeout=30_000)
        expect(page.locator("#save-status")).to_have_text(SAVED, timeout=30_000)
        expect(page.locator("#fatal")).to_be_hidden()
        assert server_answers(live_app, public_id) == {1: 0}
        assert attempt_row(live_app, public_id).state == "started"
        expect(page.get_by_role("button", name="Soal 1", exact=True)).not_to_have_class(
            re.compile("answered")
        )
    finally:
        live_app.config.pop("CLOCK", None)


def test_a_paused_exam_keeps_its_clock_and_its_queue(
    page, live_server, live_app, blueprint_version
):
    blueprint_version("C", time_limit_s=25)
    page.clock.install()
    add_applicant(live_app, "jeda@example.id", "Joko")
    log_in(page, live_server, "jeda@example.id")
    public_id = begin(page, live_server, "C")
    pick(page, 1, 1)
    expect(page.locator("#save-status")).to_have_text(SAVED)
    page.context.set_offline(True)
    pick(page, 2, 0)
    set_state(live_app, public_id, attempts.AttemptState.PAUSED)  # the proctor asks for a re-check
    page.context.set_offline(False)
    expect(page.locator("#fatal")).to_contain_text(PAUSED)
    page.evaluate("window.stayed = true")  # gone if the page reloads
    row = attempt_row(live_app, public_id)
    left = attempts.remaining_seconds(row)  # frozen on the server while paused
    # past the deadline it had before the pause, on the page's clock and the server's
    live_app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(seconds=left + 3)
    try:
        page.clock.run_for(round((left + 3) * 1000))
        # nothing was submitted, nothing reloaded, the clock stood still, the answer still waits
        assert page.evaluate("window.stayed === true")
        minutes, seconds = page.locator("#timer").inner_text().split(":")
        assert int(minutes) * 60 + int(seconds) >= left - 2
        queued = queued_steps(page, public_id)
        assert [(s["position"], s["choice"]) for s in queued] == [(1, 0)]
        page.get_by_role("button", name="Selesai dan kirim").click()
        page.get_by_role("button", name="Kirim sekarang").click()
        expect(page.locator("#fatal")).to_contain_text(PAUSED)
        with live_app.app_context():
            session = get_session()
            assert session.scalars(select(Grade).where(Grade.attempt_id == row.id)).all() == []
        assert attempt_row(live_app, public_id).state == "paused"
        # the re-check is passed (in another tab): back here, the waiting answer is sent
        set_state(live_app, public_id, attempts.AttemptState.STARTED)
        page.evaluate("window.dispatchEvent(new Event('focus'))")
        expect(page.locator("#save-status")).to_have_text(SAVED)
        expect(page.locator("#fatal")).to_be_hidden()
        assert server_answers(live_app, public_id) == {0: 1, 1: 0}
    finally:
        live_app.config.pop("CLOCK", None)


def test_submit_waits_for_a_save_in_flight(page, live_server, live_app):
    add_applicant(live_app, "kirim@example.id", "Kirana")
    log_in(page, live_server, "kirim@example.id")
    public_id = begin(page, live_server)
    held = []
    # the save is on its way, its answer not yet back
    page.route("**/answers", lambda route: held.append(route))
    page.locator(".option").nth(1).click()
    while not held:
        page.wait_for_timeout(50)
    page.get_by_role("button", name="Selesai dan kirim").click()
    page.get_by_role("button", name="Kirim sekarang").click()
    held[0].continue_()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hasil ujian")
    assert saved_answers(live_app, public_id) == 1

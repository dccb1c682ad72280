"""A SIM C exam in real Chromium at 360 px: answers, 20 s without network, reload, submit.

Where a test needs time to pass on the page (20 s offline, a question's time limit), it runs the
page's own clock on (Playwright's ``page.clock``: its timers fire as they would, at once) instead of
waiting for the wall clock."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD, add_user
from tests.e2e.conftest import no_horizontal_scroll
from ujisim.core.db import get_session
from ujisim.exam.models import AnswerStep, Attempt

pytestmark = pytest.mark.e2e


def add_applicant(live_app, email: str, name: str) -> None:
    """An applicant (born 1 January 2000) in the live server's database."""
    with live_app.app_context():
        session = get_session()
        add_user(session, email, full_name=name, date_of_birth=date(2000, 1, 1))
        session.commit()


def confirm_identity(page) -> None:
    """The start form: the applicant picks the Satpas office and confirms the name, NIK and date
    of birth shown."""
    expect(page.locator("#identity")).to_be_visible()
    page.locator("#satpas").select_option("Satpas Polrestabes Makassar")
    page.locator("input[name=confirm_identity]").check()


def log_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Surel (e-mail)").fill(email)
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Masuk").click()


@pytest.fixture
def candidate(live_app):
    add_applicant(live_app, "ujian-e2e@example.id", "Rudi Hartono")


def saved_answers(live_app, public_id) -> int:
    with live_app.app_context():
        session = get_session()
        attempt = session.scalars(select(Attempt).where(Attempt.public_id == public_id)).one()
        return len(
            session.scalars(select(AnswerStep).where(AnswerStep.attempt_id == attempt.id)).all()
        )


def queued_steps(page, public_id) -> list[dict]:
    """The unsent answers in the browser's localStorage (each tab keeps its own queue)."""
    return page.evaluate(
        f"""Object.keys(localStorage).filter((k) => k.startsWith('ujisim:{public_id}:queue'))
            .flatMap((k) => JSON.parse(localStorage.getItem(k)))"""
    )


def test_exam_survives_a_lost_network_and_a_reload(page, live_server, live_app, candidate, shot):
    page.clock.install()
    log_in(page, live_server, "ujian-e2e@example.id")
    page.get_by_role("navigation").get_by_role("link", name="Ujian teori").click()
    page.get_by_label("SIM C (sepeda motor sampai 250 cc)", exact=False).check()
    confirm_identity(page)
    page.get_by_role("button", name="Mulai ujian baru").click()
    page.get_by_role("button", name="Mulai ujian").click()

    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 30")
    public_id = page.url.rstrip("/").split("/")[-1]
    page.locator(".option").nth(1).click()
    expect(page.locator("#save-status")).to_have_text("Semua jawaban tersimpan.")
    assert saved_answers(live_app, public_id) == 1
    shot("question")

    page.context.set_offline(True)
    page.get_by_role("button", name="Berikutnya").click()
    page.locator(".option").nth(0).click()
    page.get_by_role("button", name="Berikutnya").click()
    page.locator(".option").nth(2).click()
    expect(page.locator("#save-status")).to_contain_text("2 jawaban menunggu")
    shot("offline")
    # 20 s pass on the page without network: every retry (1, 2, 4, 8 s apart) fails, the
    # answers stay queued
    page.clock.run_for(20_000)
    expect(page.locator("#save-status")).to_contain_text("2 jawaban menunggu")
    assert saved_answers(live_app, public_id) == 1
    page.context.set_offline(False)
    expect(page.locator("#save-status")).to_have_text("Semua jawaban tersimpan.", timeout=20000)
    assert saved_answers(live_app, public_id) == 3

    page.reload()
    expect(page.locator("#q-number")).to_have_text("Soal 3 dari 30")
    expect(page.locator(".option").nth(2)).to_have_attribute("aria-checked", "true")
    expect(page.locator("#answered")).to_have_text("3")
    minutes = int(page.locator("#timer").inner_text().split(":")[0])
    assert 28 <= minutes <= 29
    assert no_horizontal_scroll(page)

    page.get_by_role("button", name="Selesai dan kirim").click()
    expect(page.locator("#confirm-text")).to_contain_text("Belum dijawab: 4, 5, 6")
    shot("confirm")
    page.get_by_role("button", name="Kirim sekarang").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hasil ujian")
    expect(page.locator(".verdict")).to_contain_text("Tidak lulus")
    shot("result")


@pytest.fixture
def avis_blueprint(live_app):
    """SIM A with a minute per question for this test, then back to the defaults (the test runs
    the page's clock on: nobody waits that minute, and a loaded machine's pauses cannot use up a
    question's time before the test looks at it)."""
    from ujisim.core import clock
    from ujisim.exam.models import ExamBlueprint
    from ujisim.exam.policy import current_blueprint

    def new_version(limit):
        with live_app.app_context():
            session = get_session()
            version = current_blueprint(session, "A").version + 1
            session.add(
                ExamBlueprint(
                    vehicle_class="A",
                    version=version,
                    item_time_limit_s=limit,
                    created_at=clock.now(),
                )
            )
            session.commit()

    new_version(60)
    yield
    new_version(None)


def test_avis_mode_moves_on_when_a_question_times_out(
    page, live_server, live_app, avis_blueprint, shot
):
    page.clock.install()
    add_applicant(live_app, "avis-e2e@example.id", "Sinta")
    log_in(page, live_server, "avis-e2e@example.id")
    page.goto(f"{live_server}/ujian/")
    page.get_by_label("SIM A (mobil)", exact=False).check()
    confirm_identity(page)
    page.get_by_role("button", name="Mulai ujian baru").click()
    # question 1's countdown on the page is the server's once the opening is recorded
    with page.expect_response(lambda r: r.url.endswith("/open") and r.ok):
        page.get_by_role("button", name="Mulai ujian").click()
    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 30")
    expect(page.locator("#item-timer")).to_contain_text("Soal ini: sisa")
    page.clock.run_for(60_500)  # question 1's minute runs out on the page
    expect(page.locator("#q-number")).to_have_text("Soal 2 dari 30")
    page.get_by_role("button", name="Soal 1", exact=True).click()
    expect(page.locator(".option").first).to_be_disabled()
    # (the grid marks it closed when it is drawn again: the page moves on when the seconds shown
    # reach 0, up to half a second before the time is up)
    expect(page.locator(".grid .cell").first).to_have_class(re.compile("closed"))
    # looking back at a closed question does not bounce the candidate away: six ticks of the
    # page's 250 ms timer run while it is shown
    page.clock.run_for(1_500)
    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 30")
    shot("avis-closed")


def sit_down(page, live_server, live_app, email: str, name: str, sim_class: str) -> str:
    """A new applicant logs in, starts the exam of ``sim_class`` (its label) and sees question
    1; the attempt's public id."""
    add_applicant(live_app, email, name)
    log_in(page, live_server, email)
    page.goto(f"{live_server}/ujian/")
    page.get_by_label(sim_class, exact=False).check()
    confirm_identity(page)
    page.get_by_role("button", name="Mulai ujian baru").click()
    page.get_by_role("button", name="Mulai ujian").click()
    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 30")
    return page.url.rstrip("/").split("/")[-1]


def test_avis_mode_says_why_the_server_refused_to_open_a_question(
    page, live_server, live_app, avis_blueprint
):
    """Issue 20, point 2: no silent 4xx. The exam was handed in from another tab; opening the
    next question is refused (409) and the page says so, where it used to drop the answer."""
    sit_down(page, live_server, live_app, "avis-tolak-e2e@example.id", "Wati", "SIM A (mobil)")
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    submit_url = page.locator("#exam").get_attribute("data-submit-url")
    handed_in = page.context.request.post(  # the other tab (same browser, same session)
        f"{live_server}{submit_url}", headers={"X-CSRFToken": token}, data={}
    )
    assert handed_in.ok
    with page.expect_response(lambda r: r.url.endswith("/open") and r.status == 409):
        page.get_by_role("button", name="Soal 2", exact=True).click()
    expect(page.locator("#notice")).to_be_visible()
    expect(page.locator("#notice")).not_to_be_empty()


def test_an_ended_session_keeps_the_answers_until_the_next_login(page, live_server, live_app, shot):
    sim_c = "SIM C (sepeda motor sampai 250 cc)"
    public_id = sit_down(page, live_server, live_app, "sesi-e2e@example.id", "Dodi", sim_c)

    page.context.clear_cookies()  # the session ends (expired, or logged out elsewhere)
    page.locator(".option").nth(1).click()
    expect(page.locator("#fatal")).to_contain_text("Sesi Anda telah berakhir")
    assert saved_answers(live_app, public_id) == 0
    assert [step["choice"] for step in queued_steps(page, public_id)] == [1]
    shot("session-ended")

    # log in again in the same browser (its cookie jar), as another tab would
    login_page = page.context.request.get(f"{live_server}/login").text()
    token = re.search(r'name="csrf-token" content="([^"]+)"', login_page).group(1)
    form = {"csrf_token": token, "email": "sesi-e2e@example.id", "password": DEFAULT_PASSWORD}
    page.context.request.post(f"{live_server}/login", form=form, max_redirects=0)
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(page.locator("#save-status")).to_have_text("Semua jawaban tersimpan.")
    assert saved_answers(live_app, public_id) == 1

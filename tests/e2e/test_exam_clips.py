"""The exam's clip part in real Chromium (issue 21, point 6): a candidate on a phone and on a
laptop is told the clip rules, watches two clips, clicks, (on the phone) reloads during a clip
and is told it restarts once, goes on to the questions, and the result shows the clip points a
hand-computed table gives for the clicks the page sent."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import _test_config, add_user
from tests.e2e.conftest import no_horizontal_scroll, serve, watched_page
from tests.e2e.test_clips import reference_points
from tests.e2e.test_exam_flow import confirm_identity, log_in
from tests.exam.conftest import make_items
from tests.question_bank.test_clip_practice import CLIP_FILE
from tests.support import migrate
from ujisim.app import create_app
from ujisim.core.db import get_session
from ujisim.exam import policy
from ujisim.exam.models import Attempt, Grade
from ujisim.question_bank.content import load_file
from ujisim.question_bank.services import import_contents

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def clip_exam(tmp_path_factory):
    """An app of its own: the exam tests' questions and two reserved copies of the test clip
    (20 s, window 7..10 s), SIM A papers with both clips before the questions, served."""
    tmp = tmp_path_factory.mktemp("clip-exam")
    app = create_app(_test_config(tmp, f"sqlite:///{tmp / 'clips.db'}", TESTING=False,
                                  PROCTOR_REQUIRED=False, EXAM_CLIPS=2))  # fmt: skip
    migrate(app)
    clip = load_file(CLIP_FILE)[0][0][0]
    with app.app_context():
        session = get_session()
        reserved = [
            replace(clip, code=f"KA-9{n}0", practice=False, stem=f"Jalan {n}") for n in (1, 2)
        ]
        import_contents(session, [*make_items(), *reserved])
        policy.current_blueprint(session, "A")
        session.commit()
    for url in serve(app):
        yield app, url


def watch_clip(page, number: int, *, reload_at: float | None = None) -> list[int]:
    """Start clip ``number`` (0-based), click once as the hazard develops and once later; with
    ``reload_at``, reload the page that many seconds in and start it again (it restarts once).
    The clicks the page recorded."""
    start = page.locator("#clip-start")
    expect(start).to_be_enabled()
    expect(start).to_have_text(f"Mulai klip {number + 1} dari 2")
    start.click()
    expect(page.locator("#clip-stage")).to_be_visible()
    if reload_at is not None:
        page.wait_for_function(f"() => window.ujisimExamClips.time() >= {reload_at}")
        page.reload()
        expect(page.locator("#clip-restart")).to_contain_text("dimulai lagi")
        page.locator("#clip-start").click()
        expect(page.locator("#clip-stage")).to_be_visible()
    page.wait_for_function("() => window.ujisimExamClips.time() >= 7.4")
    page.locator("#clip-svg").click()
    page.wait_for_function("() => window.ujisimExamClips.time() >= 13")
    page.keyboard.press(" ")
    clicks = page.evaluate("() => window.ujisimExamClips.clicks()")
    page.wait_for_function(
        f"() => !window.ujisimExamClips.playing() && window.ujisimExamClips.number() !== {number}"
        " || !document.getElementById('clip-done').hidden"
    )
    return clicks


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_candidate_sits_the_clip_part_then_the_questions(clip_exam, browser, viewport):
    app, url = clip_exam
    email = f"klip-{viewport['width']}@example.id"
    with app.app_context():
        session = get_session()
        add_user(session, email, full_name="Dewi", date_of_birth=date(2000, 1, 1))
        session.commit()
    page, problems = watched_page(browser, viewport)
    log_in(page, url, email)
    page.goto(f"{url}/ujian/")
    page.get_by_label("SIM A (mobil)", exact=False).check()
    confirm_identity(page)
    page.get_by_role("button", name="Mulai ujian baru").click()
    expect(page.locator("#clip-rules")).to_contain_text("2 klip persepsi bahaya")
    page.get_by_role("button", name="Mulai ujian").click()
    expect(page.locator("#clip-title")).to_be_visible()
    assert no_horizontal_scroll(page)
    phone = viewport is PHONE
    first = watch_clip(page, 0)
    second = watch_clip(page, 1, reload_at=3 if phone else None)
    expect(page.locator("#clip-done")).to_be_visible()
    page.locator("#to-questions").click()
    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 30")
    for _ in range(30):  # every question answered "A", then on
        page.keyboard.press("a")
        page.keyboard.press("ArrowRight")
    page.locator("#finish").click()
    page.locator("#confirm-yes").click()
    expect(page.locator("#verdict")).to_be_visible()
    want = reference_points(first) + reference_points(second)
    expect(page.locator("#clip-part")).to_contain_text(f"{want} / 10")
    with app.app_context():
        session = get_session()
        attempt = session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()
        grade = session.scalars(select(Grade).where(Grade.attempt_id == attempt.id)).one()
        assert (grade.clip_points, grade.clip_max) == (want, 10)
    page.context.close()
    assert problems == []

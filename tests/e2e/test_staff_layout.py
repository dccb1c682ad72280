"""Staff pages on a 1280 px desktop in real Chromium (issue 20, point 4: the staff header
wrapped onto three lines at 1280 px; the exam replay showed no picture)."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.conftest import add_user
from tests.e2e.conftest import no_horizontal_scroll, switch_language
from tests.e2e.test_exam_flow import log_in
from ujisim.core.db import get_session
from ujisim.core.security import Role
from ujisim.exam import answers, attempts, grading, policy

pytestmark = pytest.mark.e2e
DESKTOP = {"width": 1280, "height": 800}

#: the header's rows: the top of each of its items (brand, every menu entry, the language
#: switch) and the height of the tallest (with the header's padding and its blue rule)
HEADER_ROWS = """() => {
  const header = document.querySelector("header.top");
  const items = [...header.querySelectorAll(":scope > .brand, nav li, :scope > .lang")];
  const boxes = items.map((el) => el.getBoundingClientRect());
  const style = getComputedStyle(header);
  const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom)
    + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
  return {
    tops: [...new Set(boxes.map((b) => Math.round(b.top + b.height / 2)))],
    line: Math.max(...boxes.map((b) => b.height)) + padding,
    height: header.getBoundingClientRect().height,
  };
}"""


@pytest.fixture(scope="module")
def staff(live_app):
    """One user per staff role in the live database: e-mail by role."""
    emails = {role: f"layout-{role}@example.id" for role in (Role.EXAMINER, Role.ADMIN,
                                                             Role.PRINT_SHOP)}  # fmt: skip
    with live_app.app_context():
        session = get_session()
        for role, email in emails.items():
            add_user(session, email, role, date_of_birth=date(1990, 1, 1))
        session.commit()
    return emails


@pytest.mark.parametrize("role", [Role.EXAMINER, Role.ADMIN, Role.PRINT_SHOP])
def test_the_staff_header_is_one_line_at_1280_px(page, live_server, staff, role, shot):
    """Every staff member's menu and the language switch fit one row at 1280 px, in
    Indonesian (the longer labels) and in English: the header is as tall as one line."""
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, staff[role])
    page.wait_for_url(f"{live_server}/")
    for lang in ("id", "en"):
        switch_language(page, lang)
        rows = page.evaluate(HEADER_ROWS)
        shot(f"header-{lang}")
        assert len(rows["tops"]) == 1, rows
        assert rows["height"] <= rows["line"] + 1, rows
        assert no_horizontal_scroll(page)


@pytest.fixture(scope="module")
def replayed(live_app, staff):
    """A graded SIM A exam of the shipped bank (its signs and scenes), answered by position."""
    with live_app.app_context():
        session = get_session()
        user = add_user(session, "layout-candidate@example.id", date_of_birth=date(1990, 1, 1))
        attempt = attempts.create_attempt(session, user, policy.current_blueprint(session, "A"))
        attempts.advance(session, attempt, attempts.AttemptState.STARTED, user)
        for position, entry in enumerate(attempt.paper):
            choice = position % len(entry["o"])
            answers.record_answer(
                session, attempt, position=position, choice=choice, client_seq=position + 1
            )
        grading.submit(session, attempt, user)
        session.commit()
        return attempt.public_id


def test_the_replay_shows_every_picture(page, live_server, staff, replayed, shot):
    """Issue 20, point 4: the examiner's replay showed no picture. Each question with one now
    shows it, drawn (the image loaded, not a broken icon), with a name for staff."""
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, staff[Role.EXAMINER])
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/examiner/exams/{replayed}")
    pictures = page.locator("img.question-media")
    expect(pictures.first).to_be_visible()
    assert pictures.count() >= 12  # every hazard question has a scene, signs besides
    page.wait_for_load_state("load")
    drawn = pictures.evaluate_all("(imgs) => imgs.map((i) => i.complete && i.naturalWidth > 0)")
    assert all(drawn)
    assert all(pictures.evaluate_all("(imgs) => imgs.map((i) => i.alt)"))
    shot("replay")

"""An examiner's clip preview in real Chromium (issue 21, point 7): the clip plays on a timeline
with its scoring window drawn as a band of five parts; going to the window's start shows its
time and the marker at the band's edge, scrubbing shows the points a click there scores, the
time under the pointer reads off the timeline, play and pause; the clip editor plays the saved
clip above its YAML. No CSP violation, no script error."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.conftest import add_user
from tests.e2e.conftest import no_horizontal_scroll, watched_page
from tests.e2e.test_exam_flow import log_in
from tests.question_bank.test_clip_practice import CLIP_FILE
from ujisim.core.db import get_session
from ujisim.core.security import Role
from ujisim.question_bank.content import load_file
from ujisim.question_bank.services import get_item, import_contents

pytestmark = pytest.mark.e2e
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
EMAIL = "penulis-klip-e2e@example.id"


@pytest.fixture(scope="module")
def examiner(live_app):
    """An examiner reading English pages, and the test clip KA-090 (20 s, classes A and C, one
    window: bola, 7.0..10.0 s) in the live database."""
    with live_app.app_context():
        session = get_session()
        if get_item(session, "KA-090") is None:
            import_contents(session, [load_file(CLIP_FILE)[0][0][0]])
        add_user(session, EMAIL, Role.EXAMINER, date_of_birth=date(1990, 5, 6), locale="en")
        session.commit()
    return EMAIL


def clip_time(page) -> float:
    return page.evaluate("() => window.ujisimClipPreview.time()")


def next_frames(page) -> None:
    """Wait for two animation frames (a playing clip would have moved on)."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def test_an_examiner_seeks_to_a_window_and_reads_its_time_on_the_timeline(
    browser, live_server, examiner
):
    page, problems = watched_page(browser, DESKTOP)
    log_in(page, live_server, examiner)
    page.goto(f"{live_server}/examiner/items/KA-090/preview?class=A")
    expect(page.locator("#clip-time")).to_have_text("0.0 s")
    band = page.locator("#clip-timeline .clip-band")
    expect(band).to_have_count(1)
    expect(band.locator("span")).to_have_count(5)
    expect(page.locator("#clip-where")).to_have_text(
        "Outside the scoring windows: a click now scores nothing"
    )
    assert page.evaluate("() => document.querySelectorAll('#clip-svg use').length") > 0

    # go to the window's start: the time, the marker on the band's left edge, 5 points
    page.locator('#clip-window-list [data-seek="7.0"]').click()
    expect(page.locator("#clip-time")).to_have_text("7.0 s")
    expect(page.locator("#clip-where")).to_have_text("Hazard 1, part 1 of 5: a click now scores 5")
    assert page.locator("#clip-seek").input_value() == "70"
    marker, edge = page.locator("#clip-marker").bounding_box(), band.bounding_box()
    assert abs(marker["x"] - edge["x"]) < 1.5
    timeline = page.locator("#clip-timeline").bounding_box()
    assert edge["x"] - timeline["x"] == pytest.approx(timeline["width"] * 7 / 20, abs=1.5)
    assert edge["width"] == pytest.approx(timeline["width"] * 3 / 20, abs=1.5)

    # scrub into the window's third fifth (8.2..8.8 s): 3 points
    page.locator("#clip-seek").fill("85")
    expect(page.locator("#clip-time")).to_have_text("8.5 s")
    expect(page.locator("#clip-where")).to_have_text("Hazard 1, part 3 of 5: a click now scores 3")
    # the time under the pointer, halfway along the 20 s timeline
    page.mouse.move(timeline["x"] + timeline["width"] / 2, timeline["y"] + timeline["height"] / 2)
    expect(page.locator("#clip-pointer")).to_have_text(
        re.compile(r"Under the pointer: (9\.\d|10\.\d) s")
    )

    # play from 8.5 s, then pause: the time stops where it was
    page.locator("#clip-play").click()
    expect(page.locator("#clip-play")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function("() => window.ujisimClipPreview.time() >= 9.2")
    page.locator("#clip-play").click()
    expect(page.locator("#clip-play")).to_have_attribute("aria-pressed", "false")
    paused = clip_time(page)
    next_frames(page)
    assert clip_time(page) == paused
    assert 9.2 <= paused < 20

    # the gate's checks of both classes, and the class switch
    expect(page.locator("#clip-check-A")).to_contain_text("Plays as written.")
    expect(page.locator("#clip-check-C")).to_contain_text("Plays as written.")
    page.get_by_role("link", name="Class C").click()
    expect(page).to_have_url(re.compile(r"class=C"))
    assert page.evaluate("() => window.ujisimClipPreview.time()") == 0
    cls = page.evaluate(
        "() => JSON.parse(document.getElementById('clip-preview-data').textContent).clip.cls"
    )
    assert cls == "C"
    page.context.close()
    assert problems == []


def test_the_clip_editor_plays_the_saved_clip_above_its_yaml_on_a_phone(
    browser, live_server, examiner
):
    page, problems = watched_page(browser, PHONE)
    log_in(page, live_server, examiner)
    page.goto(f"{live_server}/examiner/items/KA-090/edit")
    expect(page.locator("#clip")).to_have_value(
        re.compile(r"- \{actor: bola, start: 7.0, end: 10.0\}")
    )
    player, field = page.locator("#clip-svg").bounding_box(), page.locator("#clip").bounding_box()
    assert player["y"] + player["height"] <= field["y"]
    page.locator('#clip-window-list [data-seek="10.0"]').click()
    expect(page.locator("#clip-time")).to_have_text("10.0 s")
    expect(page.locator("#clip-where")).to_have_text("Hazard 1, part 5 of 5: a click now scores 1")
    assert no_horizontal_scroll(page)
    page.context.close()
    assert problems == []

"""The item analysis's charts on a 1280 px desktop in real Chromium (issue 20, point 4: the score
distribution counted candidates in steps of 0.25, in text too small to read).

The score distribution of four graded exams (scores 12, 22, 22 and 27 of 30) is compared with a
reference picture, ``reference/score-distribution-1280.png``, within a tolerance: at most
``TOLERANCE`` of its pixels may differ by more than ``PIXEL_STEP`` in a channel (font hinting or
anti-aliasing of another Chromium moves a few edge pixels; a changed axis, bar or label moves
far more). After a change to the chart that is meant, make the reference again with

    UJISIM_UPDATE_REFERENCES=1 .venv/bin/python -m pytest tests/e2e/test_analysis_charts.py

look at the new picture and commit it. On a mismatch the
test keeps the picture it saw and the difference in tests/e2e/screenshots/."""

from __future__ import annotations

import io
import os
import threading
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import add_user
from tests.e2e.conftest import SCREENSHOTS, _live_app
from tests.e2e.test_exam_flow import log_in
from ujisim.core.db import get_db, get_session
from ujisim.core.security import Role
from ujisim.exam import answers, attempts, grading, policy

pytestmark = pytest.mark.e2e
REFERENCE = Path(__file__).parent / "reference" / "score-distribution-1280.png"
UPDATE = os.environ.get("UJISIM_UPDATE_REFERENCES") == "1"
#: a pixel differs when a channel moves by more than this (of 255)
PIXEL_STEP = 48
#: the share of the picture's pixels that may differ
TOLERANCE = 0.004
EXAMINER = "grafik@example.id"
SCORES = (27, 22, 22, 12)
BORN = date(1995, 3, 4)

#: every chart text's size in CSS pixels as drawn: its font size times the scale of the SVG
#: (the length of the CTM's x axis, so a label turned on its side counts the same)
TEXT_SIZES = """() => [...document.querySelectorAll("svg.chart text")].map((t) => {
  const m = t.getScreenCTM();
  return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
})"""


@pytest.fixture(scope="module")
def chart_server(tmp_path_factory):
    """A live server of its own (its database holds only these exams, so the chart is the same
    whatever other browser tests ran first) with four graded SIM A exams."""
    app = _live_app(tmp_path_factory)
    with app.app_context():
        session = get_session()
        add_user(session, EXAMINER, Role.EXAMINER, date_of_birth=BORN)
        for n, correct in enumerate(SCORES):
            user = add_user(session, f"grafik-{n}@example.id", date_of_birth=BORN)
            attempt = attempts.create_attempt(session, user, policy.current_blueprint(session, "A"))
            attempts.advance(session, attempt, attempts.AttemptState.STARTED, user)
            versions = attempts.paper_versions(session, attempt)
            for position, entry in enumerate(attempt.paper):
                key = entry["o"].index(versions[position].key_index)
                choice = key if position < correct else (key + 1) % len(entry["o"])
                answers.record_answer(
                    session, attempt, position=position, choice=choice, client_seq=position + 1
                )
            grading.submit(session, attempt, user)
            session.commit()  # the statistics job runs after each commit (eager jobs)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    get_db(app).dispose()


def differing_share(seen: Image.Image, reference: Image.Image) -> float:
    """The share of pixels whose colour differs by more than PIXEL_STEP in a channel (1 when
    the sizes differ)."""
    if seen.size != reference.size:
        return 1.0
    difference = ImageChops.difference(seen.convert("RGB"), reference.convert("RGB"))
    largest = difference.convert("L", (1 / 3, 1 / 3, 1 / 3, 0)).point(
        lambda v: 255 if v * 3 > PIXEL_STEP else 0
    )
    return largest.histogram()[255] / (seen.width * seen.height)


def test_the_score_distribution_counts_whole_candidates_in_readable_text(page, chart_server, shot):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, chart_server, EXAMINER)
    page.goto(f"{chart_server}/examiner/analysis/")
    chart = page.locator("svg[id^='score-A-']")
    expect(chart).to_be_visible()
    shot("analysis-1280")
    # the candidates' axis counts 0, 1, 2: two candidates scored 22
    ticks = chart.locator(".y-tick").all_text_contents()
    assert ticks == ["0", "1", "2"]
    # every chart's text is drawn at 12 px or more
    assert min(page.evaluate(TEXT_SIZES)) >= 12
    seen = Image.open(io.BytesIO(chart.screenshot()))
    if UPDATE:
        REFERENCE.parent.mkdir(exist_ok=True)
        seen.save(REFERENCE, optimize=True)
    assert REFERENCE.exists(), "no reference yet: run with UJISIM_UPDATE_REFERENCES=1"
    reference = Image.open(REFERENCE)
    share = differing_share(seen, reference)
    if share > TOLERANCE:
        SCREENSHOTS.mkdir(exist_ok=True)
        seen.save(SCREENSHOTS / "score-distribution-seen.png")
        if seen.size == reference.size:
            difference = ImageChops.difference(seen.convert("RGB"), reference.convert("RGB"))
            difference.save(SCREENSHOTS / "score-distribution-difference.png")
    assert share <= TOLERANCE, f"{share:.2%} of the pixels differ from {REFERENCE.name}"

"""The examiner workspace in real Chromium at 360 px: item analysis with its SVG charts and
flag links, the daily report, the audit trail (no CSP violation, no script error)."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.conftest import add_user
from tests.e2e.test_exam_flow import log_in
from ujisim.core.db import get_session
from ujisim.core.security import Role
from ujisim.exam import answers, attempts, grading, policy

pytestmark = pytest.mark.e2e
BORN = date(1995, 3, 4)


@pytest.fixture
def graded_exams(live_app):
    """Three graded SIM A exams; flags from one response on (restored afterwards)."""
    live_app.config["STATS_MIN_RESPONSES"] = 1
    with live_app.app_context():
        session = get_session()
        add_user(session, "analis-e2e@example.id", Role.EXAMINER, date_of_birth=BORN)
        for n, correct in enumerate((28, 22, 9)):
            user = add_user(session, f"analisis-{n}@example.id", Role.APPLICANT, date_of_birth=BORN)
            attempt = attempts.create_attempt(session, user, policy.current_blueprint(session, "A"))
            attempts.advance(session, attempt, attempts.AttemptState.STARTED, user)
            for position, entry in enumerate(attempt.paper):
                version = attempts.paper_versions(session, attempt)[position]
                key = entry["o"].index(version.key_index)
                choice = key if position < correct else (key + 1) % len(entry["o"])
                answers.record_answer(
                    session, attempt, position=position, choice=choice, client_seq=position + 1
                )
            grading.submit(session, attempt, user)
            # one exam per transaction: the statistics job runs after each commit (eager jobs)
            session.commit()
    yield
    live_app.config.pop("STATS_MIN_RESPONSES")


def test_item_analysis_reports_and_audit(page, live_server, graded_exams, shot):
    log_in(page, live_server, "analis-e2e@example.id")
    page.get_by_role("navigation").get_by_role("link", name="Item analysis").or_(
        page.get_by_role("navigation").get_by_role("link", name="Analisis butir")
    ).click()
    expect(page.locator("h1")).to_have_count(1)
    chart = page.locator("svg#facility-discrimination")
    expect(chart).to_be_visible()
    expect(page.locator("svg[id^='score-A-']")).to_be_visible()
    assert page.locator("#items tbody tr").count() >= 30
    shot("analysis")
    flag = page.locator("ul.flags a").first
    expect(flag).to_be_visible()
    flag.click()
    expect(page).to_have_url(f"{live_server}/examiner/items/" + page.url.rsplit("/", 1)[-1])
    assert "/examiner/items/" in page.url

    page.goto(f"{live_server}/examiner/reports/")
    expect(page.locator("svg#pass-rate")).to_be_visible()
    expect(page.locator("#queues tbody tr")).to_have_count(4)
    shot("reports")

    page.goto(f"{live_server}/audit/?action=exam.")
    expect(page.locator("#verification .status-ok")).to_be_visible()
    expect(page.locator("#records tbody tr").first).to_be_visible()
    shot("audit")

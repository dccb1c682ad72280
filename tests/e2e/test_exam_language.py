"""The exam language in real Chromium (issue 20, point 5): on Indonesian pages an applicant chooses
English for the questions at the start, and the exam shows each question and its options in
English (marked lang="en" for screen readers) while the buttons stay Indonesian; the attempt
records the choice."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.test_exam_flow import add_applicant, confirm_identity, log_in
from ujisim.core.db import get_session
from ujisim.exam import attempts
from ujisim.exam.models import Attempt

pytestmark = pytest.mark.e2e


def test_an_applicant_picks_english_and_sees_the_questions_in_english(
    page, live_server, live_app, shot
):
    add_applicant(live_app, "ujian-inggris@example.id", "Dewi Lestari")
    log_in(page, live_server, "ujian-inggris@example.id")
    page.get_by_role("navigation").get_by_role("link", name="Ujian teori").click()
    page.get_by_label("SIM A (mobil)", exact=False).check()
    # offered in the pages' language first
    expect(page.get_by_label("Bahasa Indonesia", exact=True)).to_be_checked()
    page.get_by_label("English", exact=True).check()
    confirm_identity(page)
    shot("start")
    page.get_by_role("button", name="Mulai ujian baru").click()
    page.get_by_role("button", name="Mulai ujian").click()

    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 30")  # the pages' language
    public_id = page.url.rstrip("/").split("/")[-1]
    with live_app.app_context():
        session = get_session()
        attempt = session.scalars(select(Attempt).where(Attempt.public_id == public_id)).one()
        assert attempt.language == "en"
        entry, version = attempt.paper[0], attempts.paper_versions(session, attempt)[0]
        english = version.text("en")
        assert english.lang == "en"
        wanted = [o["text"] for o in english.shown(entry["o"])]
    expect(page.locator("#q-stem")).to_have_text(english.stem)
    expect(page.locator("#q-stem")).to_have_attribute("lang", "en")
    expect(page.locator("#q-options")).to_have_attribute("lang", "en")
    for n, text in enumerate(wanted):
        expect(page.locator(".option").nth(n)).to_have_text(f"{'ABCD'[n]}{text}")
    expect(page.get_by_role("button", name="Berikutnya")).to_be_visible()
    shot("question")

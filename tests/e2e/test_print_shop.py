"""The print-shop page in real Chromium: log in as a print shop, claim a card job, download its
PDF, mark it printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.certificates import pdf_tools
from tests.certificates.print_support import plain_card
from tests.conftest import DEFAULT_PASSWORD, add_user
from ujisim.certificates import print_documents
from ujisim.certificates.models import JobState, PrintJob
from ujisim.core.db import get_session
from ujisim.core.security import Role

pytestmark = pytest.mark.e2e
EMAIL = "cetak-e2e@example.id"


@pytest.fixture
def card_job(live_app) -> str:
    """A print-shop user and one ready card job in the live server's database."""
    with live_app.app_context():
        session = get_session()
        add_user(session, EMAIL, Role.PRINT_SHOP, full_name="Percetakan Asia Afrika")
        job = print_documents.enqueue_card(session, plain_card(4242, name="Sri Mulyani"))
        session.commit()
        return job.public_id


def job_state(live_app, public_id: str) -> str:
    with live_app.app_context():
        return (
            get_session()
            .scalars(select(PrintJob.state).where(PrintJob.public_id == public_id))
            .one()
        )


def test_print_shop_claims_downloads_and_confirms(page, live_server, live_app, card_job, shot):
    page.goto(f"{live_server}/login")
    page.get_by_label("Surel (e-mail)").fill(EMAIL)
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("navigation").locator("a[href='/cetak/']").click()
    expect(page.locator(f"#ready-jobs [data-job='{card_job}']")).to_contain_text("Sri Mulyani")

    page.locator("#count").fill("1")
    page.locator("#kind").select_option("card")
    page.locator("#claim-form button[type=submit]").click()
    held = page.locator(f"#held-jobs [data-job='{card_job}']")
    expect(held).to_contain_text("Sri Mulyani")
    expect(held).to_contain_text("WIB")
    assert job_state(live_app, card_job) == JobState.CLAIMED
    shot("claimed")

    with page.expect_download() as download_info:
        held.locator("a.download").click()
    download = download_info.value
    assert download.suggested_filename == f"card-{card_job}.pdf"
    pdf = Path(download.path()).read_bytes()
    pdf_tools.assert_size(pdf, pdf_tools.ID1, pages=2)
    assert "SRI MULYANI" in pdf_tools.text(pdf)

    held.locator("button.mark-printed").click()
    expect(page.locator(f"#recent-jobs [data-job='{card_job}']")).to_be_visible()
    expect(page.locator(f"#held-jobs [data-job='{card_job}']")).to_have_count(0)
    assert job_state(live_app, card_job) == JobState.PRINTED
    shot("printed")

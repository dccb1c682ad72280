"""No two valid cards, in real Chromium (issue 19, point 7): print shop A claims a licence card and
downloads it; its lease passes (the live server's clock moves on, no sleep); A's page lists the
job once, under "waiting", and A's old download link answers 409 "claim it again"; print shop B
claims, downloads and confirms it; scanning A's copy (its QR read from the PDF A downloaded)
opens the verify page that says "superseded", B's copy says valid."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.certificates import pdf_tools
from tests.conftest import DEFAULT_PASSWORD, add_user
from tests.renewal.conftest import make_nik, photo_bytes
from ujisim.certificates import print_documents, print_queue, qr_texts, signing
from ujisim.core import storage
from ujisim.core.db import get_session
from ujisim.core.security import Role
from ujisim.core.storage import StoredFile
from ujisim.renewal import registry, verification

pytestmark = pytest.mark.e2e
SHOP_A, SHOP_B = "cetak-a@example.id", "cetak-b@example.id"
BORN = date(1988, 6, 17)


@pytest.fixture
def card_job(live_app) -> str:
    """Two print-shop users, a licence in the registry and its card's print job (ready)."""
    with live_app.app_context():
        session = get_session()
        add_user(session, SHOP_A, Role.PRINT_SHOP, full_name="Percetakan A", locale="id")
        add_user(session, SHOP_B, Role.PRINT_SHOP, full_name="Percetakan B", locale="id")
        today = date.today()
        licence = registry.add_licence(
            session,
            number="320155556666",
            licence_class="C",
            holder_nik=make_nik(BORN),
            holder_name="Rudi Hartono",
            date_of_birth=BORN,
            place_of_birth="Surabaya",
            address="Jl. Pemuda 7, Surabaya",
            issued_on=today,
            expires_on=today.replace(year=today.year + 5),
            satpas="Satpas Polrestabes Surabaya",
            photo=photo_bytes("obama.jpg"),
        )
        photo = storage.read(session.get(StoredFile, licence.photo_file_id))
        card = verification._card_data(session, licence, photo, None)
        job = print_documents.enqueue_card(session, card)
        session.commit()
        return job.public_id


@pytest.fixture
def clock_ahead(live_app):
    """``clock_ahead(seconds)``: the live server's clock that far ahead (restored after)."""
    saved = live_app.config.get("CLOCK")

    def move(seconds: int) -> None:
        live_app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(seconds=seconds)

    yield move
    if saved is None:
        live_app.config.pop("CLOCK", None)
    else:
        live_app.config["CLOCK"] = saved


def log_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Surel (e-mail)").fill(email)
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("form[action='/logout']")).to_be_visible()


def claim_and_download(page, live_server, job: str) -> bytes:
    """Claim one card job on the print page and download it; the PDF's bytes."""
    page.goto(f"{live_server}/cetak/")
    page.locator("#count").fill("1")
    page.locator("#kind").select_option("card")
    page.locator("#claim-form button[type=submit]").click()
    held = page.locator(f"#held-jobs [data-job='{job}']")
    expect(held).to_contain_text("Rudi Hartono")
    expect(held.locator("code.serial")).to_have_count(1)
    with page.expect_download() as download_info:
        held.locator("a.download").click()
    return Path(download_info.value.path()).read_bytes()


def qr_path(pdf: bytes) -> str:
    """The path of the card's QR (page 2, as a phone reads it from the rendered back)."""
    (url,) = qr_texts(pdf, page=None, dpi=600)
    return "/verify/" + signing.token_from_url(url)


def test_a_copy_printed_before_another_station_took_the_job_verifies_superseded(
    browser, page, live_server, live_app, card_job, clock_ahead, shot
):
    log_in(page, live_server, SHOP_A)
    first = claim_and_download(page, live_server, card_job)
    serial_a = page.locator(f"#held-jobs [data-job='{card_job}'] code.serial").inner_text()
    assert serial_a in pdf_tools.text(first)
    download_url = page.locator(f"#held-jobs [data-job='{card_job}'] a.download").get_attribute(
        "href"
    )
    scan_a = qr_path(first)

    with live_app.app_context():
        lease = print_queue.lease_seconds()
    clock_ahead(lease + 5)  # A's lease has passed
    page.goto(f"{live_server}/cetak/")
    expect(page.locator(f"[data-job='{card_job}']")).to_have_count(1)
    expect(page.locator(f"#ready-jobs [data-job='{card_job}']")).to_be_visible()
    expect(page.locator(f"#held-jobs [data-job='{card_job}']")).to_have_count(0)
    shot("lease-passed")
    response = page.goto(f"{live_server}{download_url}")
    assert response.status == 409
    expect(page.locator(".flash-error")).to_contain_text("Ambil kembali")
    shot("download-refused")

    other = browser.new_context(viewport={"width": 360, "height": 760}, locale="id-ID")
    try:
        page_b = other.new_page()
        log_in(page_b, live_server, SHOP_B)
        second = claim_and_download(page_b, live_server, card_job)
        serial_b = page_b.locator(f"#held-jobs [data-job='{card_job}'] code.serial").inner_text()
        assert serial_b != serial_a
        page_b.locator(f"#held-jobs [data-job='{card_job}'] button.mark-printed").click()
        expect(page_b.locator(f"#recent-jobs [data-job='{card_job}']")).to_be_visible()
    finally:
        other.close()

    page.goto(f"{live_server}{scan_a}")
    verdict = page.locator(".verification")
    expect(verdict).to_have_attribute("data-reason", "superseded")
    expect(verdict.locator(".verdict")).to_contain_text(
        "Digantikan oleh kartu yang dicetak kemudian"
    )
    expect(verdict.locator("code.serial")).to_have_text(serial_a)
    shot("superseded")
    page.goto(f"{live_server}{qr_path(second)}")
    expect(page.locator(".verification")).to_have_attribute("data-status", "valid")
    expect(page.locator(".verification code.serial")).to_have_text(serial_b)

"""Register, log in, switch language and log out in real Chromium, on a 360 px screen."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import no_horizontal_scroll

pytestmark = pytest.mark.e2e
PASSWORD = "lampu-kuning-berkedip"


def test_register_login_language_logout(page, live_server, shot):
    page.goto(live_server)
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ujian teori SIM dan perpanjangan daring"
    )
    assert no_horizontal_scroll(page)
    shot("home")

    page.get_by_role("link", name="Daftar").first.click()
    page.get_by_label("Nama lengkap (sesuai KTP)").fill("Putri Ayu Lestari")
    page.get_by_label("NIK (16 digit)").fill("3174054507990004")
    page.get_by_label("Tanggal lahir").fill("1999-07-06")  # does not match the NIK
    page.get_by_label("Surel (e-mail)").fill("putri@example.id")
    page.get_by_label("Nomor ponsel").fill("0812 1111 2222")
    page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    page.get_by_label("Ulangi kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Buat akun").click()

    nik = page.get_by_label("NIK (16 digit)")
    expect(nik).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#nik-error")).to_contain_text("tidak cocok dengan tanggal lahir")
    expect(page.locator(".error-summary")).to_be_focused()
    assert no_horizontal_scroll(page)
    shot("register-error")

    page.get_by_label("Tanggal lahir").fill("1999-07-05")
    page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    page.get_by_label("Ulangi kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Buat akun").click()
    expect(page.get_by_role("status")).to_contain_text("Selamat datang, Putri Ayu Lestari")
    shot("registered")

    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("status")).to_have_text("Anda telah keluar.")

    page.get_by_role("link", name="Masuk").first.click()
    page.get_by_label("Surel (e-mail)").fill("putri@example.id")
    page.get_by_label("Kata sandi").fill("bukan-kata-sandinya")
    page.keyboard.press("Enter")
    expect(page.locator("#password-error")).to_have_text("Surel atau kata sandi salah.")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_label("Biarkan saya tetap masuk di perangkat ini").check()
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Halo, Putri Ayu Lestari")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Putri Ayu Lestari")
    page.get_by_role("link", name="My account").click()
    expect(page.locator(".facts")).to_contain_text("3174054507990004")
    assert no_horizontal_scroll(page)
    shot("account-english")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You have logged out.")
    page.goto(f"{live_server}/account")
    expect(page).to_have_url(f"{live_server}/login?next=%2Faccount")

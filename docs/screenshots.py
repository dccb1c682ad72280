"""Screenshots of the main pages for the README (issue 20, point 8), taken in Chromium from a
running app (``make run``, whose seed prints the demo passwords):

    .venv/bin/python docs/screenshots.py http://127.0.0.1:5000 APPLICANT_PASSWORD EXAMINER_PASSWORD

Writes docs/screenshots/*.png (desktop 1280x800 and phone 390x844, Bahasa Indonesia).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).with_name("screenshots")
DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}


def log_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def main(base: str, applicant_password: str, examiner_password: str) -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        for size, tag in ((DESKTOP, "desktop"), (PHONE, "phone")):
            context = browser.new_context(viewport=size, locale="id-ID")
            page = context.new_page()
            page.goto(f"{base}/")
            page.screenshot(path=OUT / f"home-{tag}.png")
            page.goto(f"{base}/latihan/A/cepat")
            page.screenshot(path=OUT / f"practice-{tag}.png")
            page.goto(f"{base}/register")
            page.evaluate("document.querySelector('main form').noValidate = true")
            page.locator("main form button[type=submit]").last.click()
            page.locator(".error-summary").wait_for()
            page.screenshot(path=OUT / f"error-summary-{tag}.png")
            log_in(page, base, "pemohon@demo.ujisim.id", applicant_password)
            page.goto(f"{base}/ujian/")
            page.screenshot(path=OUT / f"exam-start-{tag}.png")
            page.goto(f"{base}/perpanjangan/")
            page.screenshot(path=OUT / f"renewal-{tag}.png")
            context.close()
        context = browser.new_context(viewport=DESKTOP, locale="id-ID")
        page = context.new_page()
        log_in(page, base, "penguji@demo.ujisim.id", examiner_password)
        for path, name in (("/examiner/items/", "items"), ("/examiner/exams/", "exams")):
            page.goto(f"{base}{path}")
            page.screenshot(path=OUT / f"{name}-desktop.png")
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])

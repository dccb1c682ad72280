"""Verdicts in real Chromium (issue 20, point 3): each state of the verification page (valid,
expired, not valid, revoked, superseded) in its own colour (the computed style of the loaded
stylesheet) and its own word, in Bahasa Indonesia and in English, at a phone's and a desk's
width; a card's refused token still says "card"; the exam result's pass and fail likewise; an
officer types the short code printed beside the QR and gets the same verdict, with the holder's
photo for a card, and the examiners' search finds the certificate's printed number."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.certificates import pdf_tools
from tests.certificates.test_verification import tampered
from tests.conftest import DEFAULT_PASSWORD, add_user
from tests.e2e.conftest import no_horizontal_scroll, switch_language
from tests.exam.conftest import answer_all
from tests.renewal.conftest import make_nik, photo_bytes
from ujisim.certificates import codes, print_documents, signing
from ujisim.core import storage, workflow
from ujisim.core.db import get_session
from ujisim.core.security import Role
from ujisim.core.storage import StoredFile
from ujisim.exam import attempts, grading, policy
from ujisim.renewal import card_copies, registry, verification
from ujisim.renewal.models import LicenceStatus

pytestmark = pytest.mark.e2e

WORDS = {
    "id": {
        "valid": "Sah",
        "expired": "Kedaluwarsa",
        "invalid": "Tidak sah",
        "revoked": "Dicabut",
        "superseded": "Digantikan",
    },
    "en": {
        "valid": "Valid",
        "expired": "Expired",
        "invalid": "Not valid",
        "revoked": "Revoked",
        "superseded": "Superseded",
    },
}
CARD_TITLE = {"id": "Verifikasi kartu SIM", "en": "Licence card verification"}
OFFICER = "petugas-verifikasi@example.id"
BORN = date(1985, 2, 11)


def _card(session, number: str, *, issued: date, name: str = "Dewi Lestari"):
    """A licence in the registry and its card's signed data (the QR's token and the code)."""
    licence = registry.add_licence(
        session,
        number=number,
        licence_class="C",
        holder_nik=make_nik(BORN, female=True),
        holder_name=name,
        date_of_birth=BORN,
        place_of_birth="Yogyakarta",
        address="Jl. Malioboro 3, Yogyakarta",
        issued_on=issued,
        expires_on=issued.replace(year=issued.year + 5),
        satpas="Satpas Polrestabes Bandung",
        photo=photo_bytes("obama.jpg"),
    )
    photo = storage.read(session.get(StoredFile, licence.photo_file_id))
    card = verification._card_data(session, licence, photo, None)
    data = codes.signed(session, card)
    return licence, card, signing.token_from_url(data.verification_url), data.short_code


@pytest.fixture(scope="module")
def cards(live_app) -> dict[str, tuple[str, str]]:
    """{state: (token, short code)} of licence cards in each state of the verification page."""
    today = date.today()
    out = {}
    with live_app.app_context():
        session = get_session()
        add_user(session, OFFICER, Role.EXAMINER, full_name="Petugas Satlantas")
        _licence, _card_data, token, code = _card(session, "320177770001", issued=today)
        out["valid"] = (token, code)
        out["invalid"] = (tampered(token), None)
        six_years_ago = today.replace(year=today.year - 6)
        _licence, _card_data, token, code = _card(session, "320177770002", issued=six_years_ago)
        out["expired"] = (token, code)
        licence, _card_data, token, code = _card(session, "320177770003", issued=today)
        workflow.advance(session, licence, LicenceStatus.REVOKED, None, "court order")
        out["revoked"] = (token, code)
        # a card printed before copies had serials; a copy printed since takes its place
        licence, card, token, code = _card(session, "320177770004", issued=today)
        job = print_documents.enqueue_card(session, card)
        card_copies.issue_copy(session, licence, print_job_id=job.id, claim_no=1, holder="shop")
        print_documents.forget_job(session, job)  # out of the print shops' queue (their tests)
        out["superseded"] = (token, code)
        session.commit()
    return out


def colours(locator) -> tuple[str, str]:
    return locator.evaluate(
        "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).borderLeftColor]"
    )


@pytest.mark.parametrize(
    ("language", "viewport"),
    [("id", {"width": 390, "height": 844}), ("en", {"width": 1280, "height": 800})],
)
def test_each_verdict_has_its_own_colour_and_words(
    browser, live_server, cards, shot_dir, language, viewport
):
    context = browser.new_context(viewport=viewport, locale="id-ID")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server}/verify")
    switch_language(page, language, form="form.lang")
    seen = {}
    for state, (token, _code) in cards.items():
        page.goto(f"{live_server}/verify/{token}")
        verdict = page.locator("#verdict")
        expect(verdict).to_have_attribute("data-verdict", state)
        expect(page.locator("#verdict-headline")).to_have_text(
            re.compile(rf"^\W*{re.escape(WORDS[language][state])}$")
        )
        expect(page.locator("#verdict-text")).not_to_be_empty()
        # a tampered card's token too: the page names the card, not a certificate
        expect(page.locator("h1")).to_have_text(CARD_TITLE[language])
        background, border = colours(verdict)
        assert background not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"), state
        seen[state] = (background, border)
        assert no_horizontal_scroll(page)
        page.screenshot(path=shot_dir / f"verdict-{language}-{state}.png", full_page=True)
    assert len({b for b, _ in seen.values()}) == 5, seen
    assert len({b for _, b in seen.values()}) == 5, seen
    context.close()
    assert problems == []


@pytest.fixture
def shot_dir():
    from tests.e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


def graded(live_app, email: str, correct: int) -> str:
    """A graded SIM A exam of a new candidate (registered at a Satpas office); its id."""
    with live_app.app_context():
        session = get_session()
        born = date(1998, 9, 3)
        user = add_user(session, email, full_name="Rina Kartika", nik=make_nik(born, True),
                        date_of_birth=born)  # fmt: skip
        blueprint = policy.check_eligibility(session, user, "A")
        attempt = attempts.create_attempt(session, user, blueprint, satpas="Satpas Polres Tegal")
        attempts.advance(session, attempt, attempts.AttemptState.STARTED, user)
        answer_all(session, attempt, correct=correct)
        grading.submit(session, attempt, user)
        session.commit()
        return attempt.public_id


def log_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Surel (e-mail)").fill(email)
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("form[action='/logout']")).to_be_visible()


def test_the_exam_result_says_pass_and_fail_in_colour(page, browser, live_server, live_app):
    shown = {}
    for outcome, correct, word in (("passed", 30, "Lulus"), ("failed", 3, "Tidak lulus")):
        email = f"hasil-{outcome}@example.id"
        public_id = graded(live_app, email, correct)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
        candidate = context.new_page()
        log_in(candidate, live_server, email)
        candidate.goto(f"{live_server}/ujian/{public_id}/hasil")
        verdict = candidate.locator("#verdict")
        expect(verdict).to_have_attribute("data-verdict", outcome)
        expect(candidate.locator("#verdict-headline")).to_have_text(re.compile(rf"^\W*{word}$"))
        shown[outcome] = colours(verdict)
        assert shown[outcome][0] not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
        context.close()
    assert shown["passed"] != shown["failed"]


def test_an_officer_types_the_code_and_sees_the_verdict(
    page, browser, live_server, live_app, cards
):
    token, code = cards["valid"]
    # anybody may type it: the verdict, the holder's initials, no photo
    page.goto(f"{live_server}/verify")
    page.get_by_role("textbox", name="Kode verifikasi").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Periksa", exact=True).click()
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "valid")
    expect(page.locator("#holder-initials")).to_have_text("D. L.")
    expect(page.locator("#holder-photo")).to_have_count(0)
    expect(page.get_by_text("Dewi Lestari")).to_have_count(0)

    # the officer, logged in, sees the card's details and the holder's photo on record
    log_in(page, live_server, OFFICER)
    page.goto(f"{live_server}/verify")
    page.get_by_role("textbox", name="Kode verifikasi").fill(code)
    page.get_by_role("button", name="Periksa", exact=True).click()
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "valid")
    expect(page.locator(".details")).to_contain_text("Dewi Lestari")
    photo = page.locator("#holder-photo img")
    expect(photo).to_be_visible()
    page.wait_for_function("() => document.querySelector('#holder-photo img').naturalWidth > 0")
    # a revoked card's code gives the revoked verdict, as its QR does
    page.get_by_role("textbox", name="Kode verifikasi").fill(cards["revoked"][1])
    page.get_by_role("button", name="Periksa", exact=True).click()
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "revoked")


def test_the_certificate_code_and_number_lead_to_the_exam(page, browser, live_server, live_app):
    public_id = graded(live_app, "sertifikat-kode@example.id", 30)
    context = browser.new_context(locale="id-ID")
    candidate = context.new_page()
    log_in(candidate, live_server, "sertifikat-kode@example.id")
    pdf = candidate.request.get(f"{live_server}/ujian/{public_id}/sertifikat.pdf").body()
    context.close()
    text = " ".join(pdf_tools.text(pdf).split())
    assert "Kantor Satpas Satpas office Satpas Polres Tegal" in text
    code = re.search(r"Verification code ([0-9A-Z]{5}-[0-9A-Z]{5})", text).group(1)
    number = re.search(r"Certificate number (\w+)", text).group(1)

    log_in(page, live_server, OFFICER)
    page.goto(f"{live_server}/verify")
    page.get_by_role("textbox", name="Kode verifikasi").fill(code)
    page.get_by_role("button", name="Periksa", exact=True).click()
    expect(page.locator("h1")).to_have_text("Verifikasi sertifikat")
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "valid")
    expect(page.locator("#certificate-number")).to_have_text(number)
    expect(page.locator(".details")).to_contain_text("Satpas Polres Tegal")
    page.get_by_role("link", name="Cari ujiannya").click()
    expect(page.locator(f"a[href='/examiner/exams/{public_id}']")).to_be_visible()
    # the number typed into the search as printed finds it too
    page.goto(f"{live_server}/examiner/exams/")
    page.locator("#q").fill(number)
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator(f"a[href='/examiner/exams/{public_id}']")).to_be_visible()

"""The exam page fits a laptop (1280x800) and a phone (390x844) in real Chromium (issue 20,
point 1): every active item of the bank, of both classes, shows its stem, picture and options
without scrolling. Each class has one attempt whose paper holds all its items; the walk goes
through them with the page's own Next button in one page per window size, and measures with
getBoundingClientRect."""

from __future__ import annotations

import json
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD, add_user
from tests.e2e.conftest import watched_page
from ujisim.core.db import get_session
from ujisim.exam import attempts, policy
from ujisim.exam.models import Attempt
from ujisim.question_bank.models import ItemKind
from ujisim.question_bank.services import bank_item_versions, latest_bank_version

pytestmark = pytest.mark.e2e
SIZES = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

#: In the page: Next through ``count`` questions from the first; for each, once its picture has
#: loaded, the parts that lie outside the window (waiting up to 30 frames for the picture's fit).
WALK = """async (count) => {
  const $ = (id) => document.getElementById(id);
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const outside = () => {
    const parts = [["stem", $("q-stem")], ["number", $("q-number")]];
    if (!$("q-media").hidden) parts.push(["picture", $("q-media")]);
    [...$("q-options").children].forEach((o, i) => parts.push([`option ${"ABCD"[i]}`, o]));
    return parts.filter(([, el]) => {
      const r = el.getBoundingClientRect();
      const inside = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
      return !(r.height > 0 && inside);
    }).map(([name, el]) => `${name} ${JSON.stringify(el.getBoundingClientRect())}`);
  };
  const problems = [];
  for (let i = 0; i < count; i += 1) {
    if (i > 0) $("next").click();
    const number = $("q-number").textContent;
    if (!number.startsWith(`Soal ${i + 1} `)) { problems.push(`${i + 1}: shows ${number}`); break; }
    // a move puts the focus on the new question's heading, the page scrolled to its top
    if (i > 0 && (document.activeElement !== $("q-number") || scrollY !== 0)) {
      problems.push(`${i + 1}: focus or scroll`);
    }
    const img = $("q-media");
    if (!img.hidden) {
      await img.decode().catch(() => {});
      if (!img.naturalWidth) problems.push(`${i + 1}: picture not loaded`);
    }
    let bad = outside();
    for (let f = 0; f < 30 && bad.length; f += 1) { await frame(); bad = outside(); }
    if ($("q-options").children.length < 3) problems.push(`${i + 1}: options missing`);
    const chars = $("q-stem").textContent.length;
    if (bad.length) problems.push(`${i + 1} (stem of ${chars} characters): ${bad.join("; ")}`);
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def whole_bank(live_app):
    """Per class, an applicant and their started attempt whose paper holds every item of the
    class in the published bank, and the number of items."""
    out = {}
    with live_app.app_context():
        session = get_session()
        bank = latest_bank_version(session)
        for cls in ("A", "C"):
            email = f"seluruh-bank-{cls.lower()}@example.id"
            user = add_user(
                session, email, full_name=f"Calon {cls}", date_of_birth=date(1990, 1, 1)
            )
            attempt = attempts.create_attempt(session, user, policy.current_blueprint(session, cls))
            # every question (clips have their own page and tests: test_exam_clips.py)
            versions = bank_item_versions(session, bank, cls, kind=ItemKind.CHOICE)
            paper = [{"v": v.id, "o": list(range(len(v.options)))} for v in versions]
            attempt.paper_json = json.dumps(paper)
            session.flush()
            attempts.begin(session, attempt, user)
            out[cls] = (email, attempt.public_id, len(paper))
        session.commit()
    return out


def log_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Surel (e-mail)").fill(email)
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).not_to_have_url(f"{live_server}/login")


@pytest.mark.parametrize("size", sorted(SIZES))
def test_every_item_fits_the_window(browser, live_server, whole_bank, size):
    page, problems = watched_page(browser, SIZES[size])
    try:
        walked = 0
        for cls, (email, public_id, count) in whole_bank.items():
            page.context.clear_cookies()
            log_in(page, live_server, email)
            page.goto(f"{live_server}/ujian/{public_id}")
            expect(page.locator("#q-number")).to_have_text(f"Soal 1 dari {count}")
            outside = page.evaluate(WALK, count)
            assert outside == [], f"SIM {cls} at {size}: {len(outside)} questions do not fit"  # noqa: E501
            walked += count
        assert walked > 700  # both classes, every item (most are in both)
    finally:
        page.context.close()
    assert problems == []


def started_exam(live_app, email: str, *, proctored: bool = False) -> str:
    """An applicant with a started SIM C exam (``proctored``: with its proctoring case, so the
    page runs the webcam script); its public id."""
    from ujisim.proctoring import checks

    with live_app.app_context():
        session = get_session()
        user = add_user(session, email, date_of_birth=date(1995, 5, 5))
        attempt = attempts.create_attempt(session, user, policy.current_blueprint(session, "C"))
        attempts.begin(session, attempt, user)
        if proctored:
            checks.ensure_case(session, attempt)
        session.commit()
        return attempt.public_id


def in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => { const r = document.querySelector(selector).getBoundingClientRect();
           return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; }""",
        selector,
    )


def test_next_shows_the_new_question_from_its_top_with_the_focus_on_it(page, live_server, live_app):
    public_id = started_exam(live_app, "berikutnya@example.id")
    log_in(page, live_server, "berikutnya@example.id")
    page.goto(f"{live_server}/ujian/{public_id}")
    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 30")
    page.get_by_role("button", name="Berikutnya").scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 0  # the Next button is below the options
    page.get_by_role("button", name="Berikutnya").click()
    expect(page.locator("#q-number")).to_have_text("Soal 2 dari 30")
    expect(page.locator("#q-number")).to_be_focused()
    assert page.evaluate("window.scrollY") == 0
    assert in_view(page, "#q-stem")


def test_the_options_are_a_radio_group_with_shortcuts(browser, live_server, live_app):
    public_id = started_exam(live_app, "papan-ketik@example.id")
    page, problems = watched_page(browser, SIZES["laptop"])
    log_in(page, live_server, "papan-ketik@example.id")
    page.goto(f"{live_server}/ujian/{public_id}")
    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 30")
    options = page.locator("#q-options [role=radio]")
    checked = page.locator("#q-options [aria-checked=true]")

    page.keyboard.press("b")  # a letter chooses its option, and the focus goes with it
    expect(options.nth(1)).to_have_attribute("aria-checked", "true")
    expect(options.nth(1)).to_be_focused()
    page.keyboard.press("ArrowDown")  # arrows move along the group and choose
    expect(options.nth(2)).to_be_focused()
    expect(checked).to_have_count(1)
    expect(options.nth(2)).to_have_attribute("aria-checked", "true")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(options.nth(0)).to_have_attribute("aria-checked", "true")
    page.keyboard.press("ArrowUp")  # round to the last
    expect(options.last).to_have_attribute("aria-checked", "true")
    last = options.count() - 1  # a drawn question has 3 or 4 options
    expect(options.last).to_be_focused()
    # the focused option shows it, and only the chosen one is a tab stop
    outline = options.last.evaluate("(el) => getComputedStyle(el).outlineStyle")
    assert outline == "solid"
    assert options.evaluate_all("(els) => els.map((el) => el.tabIndex)").count(0) == 1
    expect(page.locator("#save-status")).to_have_text("Semua jawaban tersimpan.")

    page.keyboard.press("ArrowRight")  # the next question, from its heading
    expect(page.locator("#q-number")).to_have_text("Soal 2 dari 30")
    expect(page.locator("#q-number")).to_be_focused()
    page.keyboard.press("Tab")  # into the group: its first option (none chosen yet)
    expect(options.first).to_be_focused()
    expect(checked).to_have_count(0)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")  # choosing with Space or Enter keeps the focus on the option
    expect(options.nth(1)).to_have_attribute("aria-checked", "true")
    expect(options.nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    expect(options.nth(1)).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # back to the group: its chosen option
    expect(options.nth(1)).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 30")
    expect(options.last).to_have_attribute("aria-checked", "true")
    expect(page.locator("#save-status")).to_have_text("Semua jawaban tersimpan.")
    with live_app.app_context():
        session = get_session()
        attempt = session.scalars(select(Attempt).where(Attempt.public_id == public_id)).one()
        held = attempts.current_answers(session, attempt)
    assert {p: c for p, c in held.items() if c is not None} == {0: last, 1: 1}
    page.context.close()
    assert problems == []


def test_the_exam_page_has_no_site_menu_and_lists_its_shortcuts_first(
    browser, live_server, live_app
):
    from tests.e2e.test_exam_flow import add_applicant, confirm_identity

    add_applicant(live_app, "mode-ujian@example.id", "Wati")
    page, problems = watched_page(browser, SIZES["phone"])
    log_in(page, live_server, "mode-ujian@example.id")
    page.goto(f"{live_server}/ujian/")
    page.locator("input[name=vehicle_class][value=A]").check()
    confirm_identity(page)
    page.get_by_role("button", name="Mulai ujian baru").click()
    shortcuts = page.locator("#shortcuts")
    expect(page.get_by_role("heading", name="Pintasan papan ketik")).to_be_visible()
    expect(shortcuts).to_contain_text("A B C D memilih jawaban itu.")
    expect(shortcuts).to_contain_text("↑ ↓ berpindah antarjawaban dan memilihnya")
    expect(shortcuts).to_contain_text("Spasi Enter memilih jawaban yang sedang difokus.")
    expect(shortcuts).to_contain_text("← → soal sebelumnya atau berikutnya.")
    page.get_by_role("button", name="Mulai ujian").click()

    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 30")
    assert page.get_by_role("navigation", name="Menu utama").count() == 0
    assert page.locator("header").bounding_box()["height"] <= 56
    # every picture has a neutral name, never the sign's (often the key)
    for _ in range(30):
        if page.locator("#q-media").is_visible():
            expect(page.locator("#q-media")).to_have_attribute("alt", "Gambar soal")
            break
        page.keyboard.press("ArrowRight")
    else:
        pytest.fail("no question with a picture in 30")
    page.context.close()
    assert problems == []


def reload_events(live_app, public_id: str) -> int:
    from ujisim.proctoring.checks import get_case
    from ujisim.proctoring.models import Observation

    with live_app.app_context():
        session = get_session()
        attempt = session.scalars(select(Attempt).where(Attempt.public_id == public_id)).one()
        case = get_case(session, attempt)
        return len(
            session.scalars(
                select(Observation).where(
                    Observation.case_id == case.id, Observation.event_type == "reload"
                )
            ).all()
        )


def test_language_and_log_out_ask_first_and_a_switch_is_no_reload(page, live_server, live_app):
    public_id = started_exam(live_app, "ganti-bahasa@example.id", proctored=True)
    log_in(page, live_server, "ganti-bahasa@example.id")
    page.goto(f"{live_server}/ujian/{public_id}")
    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 30")
    expect(page.locator("#proctor")).to_be_attached()  # the webcam script runs on this page

    page.get_by_role("banner").get_by_role("button", name="English").click()
    dialog = page.get_by_role("dialog", name="Tampilkan ujian dalam English?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Tetap dalam bahasa ini").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("html")).to_have_attribute("lang", "id")

    events = []
    page.on("request", lambda r: r.url.endswith("/events") and events.append(r.post_data))
    page.get_by_role("banner").get_by_role("button", name="English").click()
    with page.expect_navigation():
        dialog.get_by_role("button", name="Ganti ke English").click()
    expect(page.locator("#q-number")).to_have_text("Question 1 of 30")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # the webcam script has started (a reload would have been reported by now): none was
    expect(page.locator("#proctor-status")).not_to_be_empty()
    assert events == []
    assert reload_events(live_app, public_id) == 0
    expect(page.locator("#proctor-warning")).to_be_hidden()

    # a reload is still one, and its warning shows at the top of the window, scrolled or not
    with page.expect_response(lambda r: r.url.endswith("/events") and r.ok):
        page.reload()
    assert reload_events(live_app, public_id) == 1
    warning = page.locator("#proctor-warning")
    expect(warning).to_have_text("The exam page was reloaded.")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 0
    assert in_view(page, "#proctor-warning")
    page.get_by_role("button", name="Close").click()
    expect(warning).to_be_hidden()

    page.get_by_role("banner").get_by_role("button", name="Log out").click()
    dialog = page.get_by_role("dialog", name="Log out during the exam?")
    dialog.get_by_role("button", name="Back to the exam").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("banner").get_by_role("button", name="Log out").click()
    dialog.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Log in")).to_be_visible()


NO_VOICES = "if (window.speechSynthesis) speechSynthesis.getVoices = () => [];"
#: A browser with an Indonesian voice, whose speech is written down instead of heard.
ONE_VOICE = """
window.__spoken = [];
window.SpeechSynthesisUtterance = class extends EventTarget {
  constructor(text) { super(); this.text = text; }
};
speechSynthesis.getVoices = () => [{ lang: "id-ID", name: "Bahasa Indonesia" }];
speechSynthesis.cancel = () => {};
speechSynthesis.speak = (u) => {
  window.__spoken.push({ text: u.text, lang: u.lang, voice: u.voice.name });
  setTimeout(() => u.dispatchEvent(new Event("end")), 0);
};
"""
PLAYING = """() => { const a = document.querySelector("#speak-audio, .speak-audio:not([hidden])");
  return a && !a.paused && a.currentTime > 0 && a.duration > 0; }"""


def test_without_a_voice_the_servers_recording_plays(page, live_server, live_app):
    public_id = started_exam(live_app, "tanpa-suara@example.id")
    page.add_init_script(NO_VOICES)
    log_in(page, live_server, "tanpa-suara@example.id")
    page.goto(f"{live_server}/ujian/{public_id}")
    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 30")
    note = page.locator("#speak-note")
    expect(note).to_be_hidden()
    with page.expect_response(f"**/ujian/{public_id}/suara/0") as audio:
        page.get_by_role("button", name="Bacakan").click()
    assert audio.value.ok
    assert audio.value.header_value("content-type") == "audio/mpeg"
    expect(note).to_have_text(
        "Perangkat ini tidak punya suara untuk Bahasa Indonesia, jadi rekaman buatan server kami "
        "yang diputar."
    )
    page.wait_for_function(PLAYING)
    expect(page.get_by_role("button", name="Bacakan")).to_have_attribute("aria-pressed", "true")
    # the next question: its own recording, the last one's gone
    page.keyboard.press("ArrowRight")
    expect(note).to_be_hidden()
    expect(page.locator("#speak-audio")).to_be_hidden()
    with page.expect_response(f"**/ujian/{public_id}/suara/1"):
        page.get_by_role("button", name="Bacakan").click()
    page.wait_for_function(PLAYING)


def test_the_voice_reads_each_sentence_with_one_end_mark(page, live_server, live_app):
    from ujisim.core import speech
    from ujisim.question_bank.content import load_dir

    public_id = started_exam(live_app, "satu-suara@example.id")
    page.add_init_script(ONE_VOICE)
    log_in(page, live_server, "satu-suara@example.id")
    page.goto(f"{live_server}/ujian/{public_id}")
    expect(page.locator("#q-number")).to_have_text("Soal 1 dari 30")
    paper = page.request.get(f"{live_server}/api/v1/exam/attempts/{public_id}").json()
    first = paper["questions"][0]
    page.get_by_role("button", name="Bacakan").click()
    expect(page.get_by_role("button", name="Bacakan")).to_have_attribute("aria-pressed", "false")
    spoken = page.evaluate("window.__spoken")
    assert spoken == [
        {
            "text": speech.spoken_text(first["stem"], first["options"]),
            "lang": "id-ID",
            "voice": "Bahasa Indonesia",
        }
    ]
    assert "?." not in spoken[0]["text"]
    expect(page.locator("#speak-note")).to_be_hidden()
    # the page and the server join every item of the bank alike
    items = [(i.stem, [o.text for o in i.options]) for i in load_dir()[0]]
    joined = page.evaluate(
        "(items) => items.map(([stem, options]) => ujisimSpeech.spokenText(stem, options))", items
    )
    assert joined == [speech.spoken_text(stem, options) for stem, options in items]
    assert not [t for t in joined if ".." in t or "?." in t or ",." in t]

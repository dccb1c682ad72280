"""The camera check's states in real Chromium (issue 20, point 2): the tries counter counts down,
the third failure says at once (no reload) that an examiner takes over and what happens next,
with Start disabled and its reason, and no refusal of the server is ever silent: in every state
the server refuses (the tries used up, passed or begun in another window, the consent no longer
current) every button of the page is clicked, and each 4xx answer shows its message
(tests/e2e/refusals.py) or the page moves on.

A try is made to fail cheaply: the live server's clock is moved past the challenge's time limit
before the burst arrives, so the try fails as ``expired`` without a face analysis (the analysis of
real bursts: tests/e2e/test_proctoring.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import select, update

from tests.e2e import refusals
from tests.e2e import test_proctoring as proctoring
from tests.e2e.conftest import SCREENSHOTS, no_horizontal_scroll
from ujisim.accounts.models import User
from ujisim.core import workflow
from ujisim.core.db import get_session
from ujisim.core.errors import ConflictError
from ujisim.exam import attempts
from ujisim.exam.models import Attempt
from ujisim.proctoring import checks
from ujisim.proctoring.faces import Challenge
from ujisim.proctoring.models import Consent, IdentityStatus

pytestmark = pytest.mark.e2e

camera, videos, proctoring_on = proctoring.camera, proctoring.videos, proctoring.proctoring_on
open_check, advice = proctoring.open_check, proctoring.advice

#: the widget's buttons, and the request each sends when it is pressed
BUTTONS = {"identity-start": "**/checks", "identity-retry": "**/checks", "camera-retry": None}


@pytest.fixture
def server_clock(live_app):
    """``server_clock.forward(minutes)``: the live server's clock runs that much further ahead
    of the real one from now on (the challenge a page holds then has expired)."""

    class Clock:
        ahead = timedelta()

        def forward(self, minutes: float) -> None:
            self.ahead += timedelta(minutes=minutes)

        def __call__(self) -> datetime:
            return datetime.now(UTC) + self.ahead

    clock = Clock()
    saved = live_app.config.get("CLOCK")
    live_app.config["CLOCK"] = clock
    yield clock
    if saved is None:
        live_app.config.pop("CLOCK", None)
    else:
        live_app.config["CLOCK"] = saved


def watched_check(camera, live_server, live_app, email: str):
    """A candidate on the camera check of a new exam, the live camera showing them, the page's
    refusals watched; (page, exam id) once Start is enabled."""
    page = camera(person="obama.jpg")
    page.add_init_script(refusals.WATCH)
    public_id = open_check(page, live_server, live_app, email)
    expect(page.locator("#identity-start")).to_be_enabled(timeout=60_000)
    return page, public_id


def tries_text(page, left: int) -> str:
    return advice(page, "tries").replace("{n}", str(left))


def fail_a_try(page, server_clock, button: str) -> None:
    """Press ``button`` (Start or Try again): the page runs the challenge on its own clock,
    while the server's has passed the challenge's time limit when the burst arrives."""
    with page.expect_response("**/checks") as issued:
        page.locator(f"#{button}").click()
    challenge = Challenge.from_dict(issued.value.json())
    server_clock.forward(checks.CHALLENGE_TTL.total_seconds() / 60 + 1)
    with page.expect_response("**/frames") as answer:
        page.clock.run_for(challenge.total_ms + 1_000)
    assert answer.value.json()["reason"] == "expired"


def test_the_tries_count_down_and_the_last_failure_says_what_happens_next(
    camera, live_server, live_app, proctoring_on, server_clock
):
    page = camera(person="obama.jpg")
    page.add_init_script(refusals.WATCH)
    page.clock.install()
    public_id = open_check(page, live_server, live_app, "percobaan-habis@example.id")
    counter = page.locator("#tries-left")
    expect(counter).to_have_text(tries_text(page, 3))
    expect(page.locator("#identity-start")).to_be_enabled(timeout=60_000)
    expect(page.locator("#start-reason")).to_be_hidden()

    fail_a_try(page, server_clock, "identity-start")
    expect(counter).to_have_text(tries_text(page, 2))
    expect(page.locator("#identity-status")).to_contain_text(advice(page, "reason_expired"))
    fail_a_try(page, server_clock, "identity-retry")
    expect(counter).to_have_text(tries_text(page, 1))
    fail_a_try(page, server_clock, "identity-retry")

    # at once, without a reload: who takes over and what happens next, Start disabled and why
    final = page.locator("#identity-final")
    expect(final).to_be_visible()
    expect(final).to_contain_text(advice(page, "final_title"))
    expect(final).to_contain_text(advice(page, "final_next"))
    expect(counter).to_have_text(tries_text(page, 0))
    start = page.locator("#identity-start")
    expect(start).to_be_disabled()
    expect(page.locator("#start-reason")).to_have_text(advice(page, "start_final"))
    assert start.get_attribute("aria-describedby") == "start-reason"
    # not "the picture is good" over a camera that was turned off, and no Try again
    expect(page.locator("#camera-status")).to_have_text("")
    expect(page.locator(".preview-wrap")).to_be_hidden()
    expect(page.locator("#identity-retry")).to_be_hidden()
    assert page.evaluate("document.getElementById('preview').srcObject") is None
    assert_every_button_answers(page)
    assert no_horizontal_scroll(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "camera-check-no-tries-left.png", full_page=True)

    # the same state when the page is opened again: no camera is started
    page.reload()
    expect(page.locator("#identity-final")).to_be_visible()
    expect(counter).to_have_text(tries_text(page, 0))
    expect(page.locator("#identity-start")).to_be_disabled()
    expect(page.locator("#start-reason")).to_have_text(advice(page, "start_final"))
    expect(page.locator("#camera-status")).to_have_text("")
    assert_every_button_answers(page)
    page.locator("#identity-final").get_by_role("link").first.click()
    expect(page).to_have_url(f"{live_server}/ujian/{public_id}")
    expect(page.locator("#gate-identity")).to_contain_text("penguji")


def assert_every_button_answers(page) -> None:
    """Press every visible, enabled button of the widget (waiting for the request it sends);
    a disabled one must say why next to it. Every refusal is shown (refusals.py)."""
    seen = refusals.expect_shown(page)
    for button, sends in BUTTONS.items():
        locator = page.locator(f"#{button}")
        if not locator.is_visible():
            continue
        if locator.is_disabled():
            reason = page.locator(f"#{locator.get_attribute('aria-describedby')}")
            expect(reason).to_be_visible()
            expect(reason).not_to_be_empty()
            continue
        with page.expect_response(sends or "**/camera-check") as answer:
            locator.click()
        try:
            answer.value.body()
        except PlaywrightError:
            # the page went on at once (passed in another window: to the exam, which says so)
            page.wait_for_url(lambda url: not url.endswith("/cek"))
            return
        seen = refusals.expect_shown(page, seen)


# --- the server refuses what the page still offers (another window changed the state) ---------


def _attempt_and_user(session, public_id: str):
    attempt = session.scalars(select(Attempt).where(Attempt.public_id == public_id)).one()
    return attempt, session.get(User, attempt.user_id)


def tries_used_up(live_app, public_id: str) -> None:
    """Three tries failed in another window (each left unanswered past its time limit)."""
    saved = live_app.config.get("CLOCK")
    at = datetime.now(UTC)
    with live_app.app_context():
        session = get_session()
        attempt, user = _attempt_and_user(session, public_id)
        try:
            for _try in range(checks.MAX_TRIES + 1):
                live_app.config["CLOCK"] = lambda at=at: at
                checks.issue_challenge(session, attempt, user)
                at += checks.CHALLENGE_TTL
        except ConflictError:
            pass  # the third expired try escalated the case: no fourth
        finally:
            live_app.config["CLOCK"] = saved
        session.commit()


def passed_elsewhere(live_app, public_id: str) -> None:
    with live_app.app_context():
        session = get_session()
        attempt, user = _attempt_and_user(session, public_id)
        case = checks.ensure_case(session, attempt)
        workflow.advance(session, case, IdentityStatus.PASSED, user, "passed in another window")
        session.commit()


def begun_elsewhere(live_app, public_id: str) -> None:
    passed_elsewhere(live_app, public_id)
    with live_app.app_context():
        session = get_session()
        attempt, user = _attempt_and_user(session, public_id)
        attempts.begin(session, attempt, user)
        session.commit()


def consent_outdated(live_app, public_id: str) -> None:
    """The consent text changed since the candidate agreed (a new version asks again)."""
    with live_app.app_context():
        session = get_session()
        _attempt, user = _attempt_and_user(session, public_id)
        session.execute(
            update(Consent).where(Consent.user_id == user.id).values(text_version="2020-01-v0")
        )
        session.commit()


@pytest.mark.parametrize(
    ("state", "make"),
    [
        ("escalated", tries_used_up),
        ("passed", passed_elsewhere),
        ("not_needed", begun_elsewhere),
        ("proctoring_required", consent_outdated),
    ],
)
def test_every_button_in_every_refused_state_says_why(
    camera, live_server, live_app, proctoring_on, state, make
):
    page, public_id = watched_check(camera, live_server, live_app, f"tolak-{state}@example.id")
    make(live_app, public_id)
    assert_every_button_answers(page)
    if state == "passed":
        expect(page).to_have_url(f"{live_server}/ujian/{public_id}")
        expect(page.locator("#gate-identity.done")).to_be_visible()
        return
    codes = {r["code"] for r in refusals.refusals(page)}
    assert state in codes, codes
    if state == "escalated":
        expect(page.locator("#identity-final")).to_be_visible()
        expect(page.locator("#start-reason")).to_have_text(advice(page, "start_final"))
    elif state == "not_needed":
        expect(page.locator("#identity-continue")).to_be_visible()
        page.locator("#identity-continue").click()
        expect(page.locator("#q-number")).to_be_visible()  # the exam that began elsewhere
    else:
        expect(page.locator("#identity-start")).to_be_disabled()
    assert no_horizontal_scroll(page)


def test_the_exam_page_shows_a_refused_snapshot(camera, live_server, live_app, proctoring_on):
    """The webcam script of the exam page used to drop a refused snapshot, event or status: the
    candidate never learnt that the pictures no longer counted."""
    page = camera(person="obama.jpg")
    page.add_init_script(refusals.WATCH)
    public_id = open_check(page, live_server, live_app, "ujian-ditolak@example.id")
    begun_elsewhere(live_app, public_id)
    with page.expect_response(lambda r: "/snapshots" in r.url and r.status == 200):
        page.goto(f"{live_server}/ujian/{public_id}")  # the camera is on, a snapshot taken
    expect(page.locator("#proctor-warning")).to_be_hidden()
    consent_outdated(live_app, public_id)
    with page.expect_response(lambda r: "/snapshots" in r.url and r.status == 403):
        pass  # the next snapshot, a few seconds later
    refusals.expect_shown(page)
    expect(page.locator("#proctor-warning")).to_be_visible()

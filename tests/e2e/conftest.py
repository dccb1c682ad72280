"""A live server on a committed SQLite database, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import _test_config
from tests.support import migrate
from ujisim.app import create_app
from ujisim.core.db import get_db, get_session
from ujisim.question_bank.content import load_dir
from ujisim.question_bank.services import import_contents

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"

# An expect() ends when what it waits for happens; 5 s (Playwright's default) is too short a bound
# for a page load on a loaded 2-core machine that also runs face analysis (the likely cause of
# test_practice.py's weak-topics test failing once). Tests that wait on a slow event set their
# own bound.
EXPECT_MS = 15_000
expect.set_options(timeout=EXPECT_MS)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app behind the live server (tests use its app context to set up data)."""
    return _live_app(tmp_path_factory)


@pytest.fixture(scope="session")
def live_server(live_app):
    """The app served over HTTP by a thread; base URL."""
    yield from serve(live_app)


def serve(app):
    """Serve ``app`` over HTTP from a thread; yields the base URL, then stops."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    get_db(app).dispose()


def _live_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    # Webcam proctoring off for the exam-flow tests; test_proctoring.py turns it on for its own.
    config = _test_config(
        tmp, f"sqlite:///{tmp / 'live.db'}", TESTING=False, PROCTOR_REQUIRED=False
    )
    app = create_app(config)
    migrate(app)
    with app.app_context():  # the shipped question bank, published (practice pages need it)
        session = get_session()
        import_contents(session, load_dir()[0])
        session.commit()
    return app


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def watched_page(browser, viewport: dict, **context_options):
    """A page in a new context of ``browser`` (``viewport``: width and height) and the list its
    problems go to: CSP violations, script errors, failed requests and 404s (the caller asserts
    it stays empty, and closes ``page.context``)."""
    context = browser.new_context(viewport=viewport, locale="id-ID", **context_options)
    page = context.new_page()
    problems: list[str] = []
    # Error statuses of pages are expected (a refused form is 422); CSP violations and script
    # errors are not.
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource")
            and problems.append(m.text)
        ),
    )
    # Expected failures: requests made while a test has switched the network off, and loads a
    # navigation cancelled (the browser aborts what the old page was still fetching).
    expected = {"net::ERR_INTERNET_DISCONNECTED", "net::ERR_ABORTED"}
    page.on(
        "requestfailed",
        lambda r: (
            r.failure not in expected and problems.append(f"request failed: {r.url} {r.failure}")
        ),
    )
    page.on("response", lambda r: r.status == 404 and problems.append(f"404: {r.url}"))
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page, problems


@pytest.fixture
def page(browser, request):
    """A phone-sized page (360 px wide) that fails the test on any CSP violation or JS error."""
    page, problems = watched_page(browser, {"width": 360, "height": 760})
    yield page
    page.context.close()
    assert problems == []


@pytest.fixture
def shot(page, request):
    """``shot("name")`` keeps a screenshot in tests/e2e/screenshots (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}-{name}.png".replace("[", "-").replace("]", "")
        page.screenshot(path=path, full_page=True)
        return path

    return take


def no_horizontal_scroll(page) -> bool:
    """Whether the page fits its viewport's width (nothing to scroll sideways) once it has
    loaded: waits for the load event (images laid out) and then, up to EXPECT_MS, for the layout
    to fit, so a loaded machine's slow layout is not taken for an overflow; a page that never
    fits is False, its widths printed."""
    page.wait_for_load_state("load")
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    try:
        page.wait_for_function(fits, timeout=EXPECT_MS)
    except PlaywrightTimeout:
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        print("scrollWidth, innerWidth:", widths)
        return False
    return True


def switch_language(page, lang: str, form: str = ".lang") -> None:
    """Click the header's language button and wait for the page it leads to (POST /lang, then
    the redirect) to have loaded in that language. Waiting on the old page's `<html lang>`
    raced the navigation: the document could be gone between two polls (CI, stop 29)."""
    with page.expect_navigation(wait_until="load"):
        page.locator(f"{form} button[value={lang}]").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)

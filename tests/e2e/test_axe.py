"""Accessibility (issue 20, point 6): axe-core, pinned in package-lock.json and installed by
``make test`` (``npm ci``), run in Chromium over every page type, in Bahasa Indonesia and in
English, on a desktop (1280 x 800) and a phone (390 x 844): no violation of impact serious or
critical.

The pages: every page without arguments in the URL map (as tests/test_markup.py finds them)
that answers 200 with HTML, visited anonymously, as staff holding every staff role and as a
candidate; then the pages with arguments, built from real records (tests/e2e/axe_site.py): the
exam's instructions, the exam page mid-exam and its submit dialog, the result; practice quick
(a sign and a scene) and its feedback, a topic with pictures, a mock exam and its result; the
identity check; the renewal at every step and its tracking; the verification pages; staff pages
of an item, an exam, a proctoring case, a renewal, a user and a grace window; the error pages;
and forms sent with errors. One browser context per language and viewport; each person logs in
once per language, and a context swaps cookies to change person."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import DEFAULT_PASSWORD
from tests.e2e.axe_site import Site, build
from tests.e2e.conftest import _live_app, serve
from tests.test_markup import pages
from ujisim.renewal.models import AppState

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
LANGUAGES = ("id", "en")
BROWSERS = [f"{lang}-{name}" for lang in LANGUAGES for name in VIEWPORTS]
SERIOUS = ("serious", "critical")
#: axe over the whole page as it is now; the violations of the impacts given, a few nodes each
RUN_AXE = """async (impacts) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter((v) => impacts.includes(v.impact)).map((v) => ({
    rule: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """An app and database of this module's own: the records it makes (print jobs first in the
    queue, graded exams, renewals) stay out of the other browser tests' way."""
    return _live_app(tmp_path_factory)


@pytest.fixture(scope="module")
def live_server(live_app):
    yield from serve(live_app)


@pytest.fixture(scope="module")
def site(live_app) -> Site:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` installs it (npm ci, package-lock.json)")
    return build(live_app, BROWSERS)


#: person -> the pages without arguments that answer them with HTML (found by the first tour)
HTML_PAGES: dict = {}
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


@pytest.fixture(scope="module")
def logins(browser, live_server, site) -> dict:
    """(person's e-mail or None, language) -> the cookies of a session in that language, logged
    in as that person: each logs in once here, and a tour swaps cookies to change person."""
    people = [None, site.staff, site.proctored[0], *(e for e, _ in site.renewals.values())]
    found = {}
    for lang in LANGUAGES:
        for email in people + [c[0] for k, c in site.candidates.items() if k.startswith(lang)]:
            context = browser.new_context()
            http = context.request
            token = CSRF.search(http.get(f"{live_server}/").text()).group(1)
            http.post(f"{live_server}/lang", form={"lang": lang, "csrf_token": token})
            if email:
                token = CSRF.search(http.get(f"{live_server}/login").text()).group(1)
                form = {"email": email, "password": DEFAULT_PASSWORD, "csrf_token": token}
                answer = http.post(f"{live_server}/login", form=form, max_redirects=0)
                assert answer.status == 302, email
            found[email, lang] = context.cookies()
            context.close()
    return found


#: what shows a form came back with its errors
ERRORS = ".error-summary, .error, .flash-error, [aria-invalid=true]"


def send_unchecked(page, form: str) -> None:
    """Send ``form`` as it is, past the browser's own checks (required fields), so that the
    server answers with its errors beside the fields; waits for them."""
    with page.expect_navigation():
        page.locator(form).first.evaluate("(f) => { f.noValidate = true; f.requestSubmit(); }")
    expect(page.locator(ERRORS).first).to_be_visible()


class Tour:
    """One browser context: changes person, visits pages and runs axe on each."""

    def __init__(self, context, base: str, lang: str, logins: dict, html: dict):
        self.context, self.page, self.request = context, context.new_page(), context.request
        self.base, self.lang = base, lang
        self.logins, self.html = logins, html
        self.found: dict[str, list[dict]] = {}
        self.seen: set[str] = set()
        self.email: str | None = None
        self.checked = 0

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        expect(page.locator("html")).to_have_attribute("lang", self.lang)
        problems = page.evaluate(RUN_AXE, list(SERIOUS))
        self.checked += 1
        if problems:
            self.found[f"{name} ({page.url})"] = problems

    def visit(self, path: str, name: str | None = None) -> None:
        self.page.goto(self.base + path)
        self.check(name or path)

    def as_person(self, email: str | None) -> None:
        self.context.clear_cookies()
        self.context.add_cookies(self.logins[email, self.lang])
        self.email = email

    def url_map_pages(self, app) -> None:
        """Every page without arguments that answers this person with HTML (the list is kept
        for the other tours); the person's home page and account again, the others once."""
        if self.email not in self.html:
            found = []
            for path in pages(app):
                response = self.request.get(self.base + path, max_redirects=0)
                if response.status == 200 and "text/html" in response.headers["content-type"]:
                    found.append(path)
            self.html[self.email] = found
        for path in self.html[self.email]:
            if path in ("/", "/account") or path not in self.seen:
                self.seen.add(path)
                self.visit(path)


def anonymous(tour: Tour, app, site: Site) -> None:
    page = tour.page
    tour.as_person(None)
    tour.url_map_pages(app)
    tour.visit("/halaman-yang-tidak-ada", "404")
    tour.visit(f"/verify/{site.certificate_token}", "verify: valid")
    tour.visit("/verify/bukan-token", "verify: invalid")
    tour.visit(f"/password/reset/{site.reset_token}", "password reset")
    tour.visit("/password/reset/kedaluwarsa", "password reset: invalid link")
    tour.visit(f"/perpanjangan/sandbox/kurir/{site.tracking_number}", "sandbox courier")
    # forms sent with errors
    for path in ("/login", "/register"):
        tour.visit(path)
        send_unchecked(page, "main form[method=post]")
        tour.check(f"{path} with errors")
    practice(tour)


def practice(tour: Tour) -> None:
    page = tour.page
    for cls in ("A", "C"):
        tour.visit(f"/latihan/{cls}/topik")
        tour.visit(f"/latihan/{cls}/simulasi")
    tour.visit("/latihan/A/topik/rambu", "topic with signs")
    tour.visit("/latihan/C/topik/apill", "topic with scenes")
    tour.visit("/latihan/A/cepat?topik=rambu", "quick practice: a sign")
    send_unchecked(page, "#q-current")
    tour.check("quick practice: no answer chosen")
    page.locator("label.choice").first.click()
    page.locator("#q-current button[type=submit]").click()
    expect(page.locator(".verdict")).to_be_visible()
    tour.check("quick practice: feedback")
    tour.visit("/latihan/C/cepat?topik=apill", "quick practice: a scene")
    # a mock exam: the paper, then its result
    tour.visit("/latihan/A/simulasi")
    page.locator("main form[action$='/simulasi/mulai'] button[type=submit]").click()
    expect(page.locator(".mock-q.current")).to_be_visible()
    tour.check("mock exam paper")
    page.locator(".mock-q.current label.choice").first.click()
    page.locator("#mock").evaluate("(f) => f.requestSubmit()")
    page.wait_for_url("**/latihan/simulasi/hasil")
    tour.check("mock exam result")


def candidate(tour: Tour, app, site: Site, key: str) -> None:
    email, passed, waiting = site.candidates[key]
    page = tour.page
    tour.as_person(email)
    tour.url_map_pages(app)
    tour.visit(f"/ujian/{passed}/hasil", "exam result: passed")
    tour.visit("/admin/users", "403")
    tour.visit(f"/ujian/{waiting}", "exam instructions")
    page.locator(f"form[action='/ujian/{waiting}/begin'] button[type=submit]").click()
    expect(page.locator("#q-number")).to_be_visible()
    expect(page.locator(".option").first).to_be_visible()
    page.locator(".option").first.click()
    expect(page.locator("#save-status")).not_to_be_empty()
    tour.check("exam page mid-exam")
    page.locator("#finish").click()
    expect(page.locator("#confirm")).to_be_visible()
    tour.check("exam page: submit dialog")
    # the renewal's start form sent with errors
    tour.visit("/perpanjangan/")
    page.locator("#number").fill("1234")
    send_unchecked(page, "form[action='/perpanjangan/mulai']")
    tour.check("renewal start with errors")


def proctored(tour: Tour, site: Site) -> None:
    email, attempt = site.proctored
    tour.as_person(email)
    tour.visit(f"/pengawasan/ujian/{attempt}/cek", "identity check")


def renewals(tour: Tour, site: Site) -> None:
    page = tour.page
    for step, (email, public_id) in site.renewals.items():
        tour.as_person(email)
        if step in (AppState.PAID, AppState.APPROVED):
            tour.visit(f"/perpanjangan/{public_id}/lacak", f"renewal tracking: {step}")
        else:
            tour.visit(f"/perpanjangan/{public_id}", f"renewal step: {step}")
        if step in (AppState.DOCUMENTS, AppState.DELIVERY):
            send_unchecked(page, "main form[method=post]:not(.rn-cancel)")
            tour.check(f"renewal step with errors: {step}")
        if step == AppState.PAYMENT:
            link = page.locator("a[href*='/perpanjangan/sandbox/bayar/']")
            if link.count():
                tour.visit(link.first.get_attribute("href"), "sandbox payment")


def staff(tour: Tour, app, site: Site, key: str) -> None:
    page = tour.page
    tour.as_person(site.staff)
    tour.url_map_pages(app)
    code = site.item_code
    for path in (f"/examiner/items/{code}", f"/examiner/items/{code}/edit"):
        tour.visit(path)
    tour.visit(f"/examiner/items/{code}/preview")
    # a clip of the shipped bank: its editor and its preview play it on a timeline
    tour.visit("/examiner/items/KA-001/edit", "clip editor")
    tour.visit("/examiner/items/KA-001/preview", "clip preview")
    tour.visit(f"/examiner/items/{code}/diff?a=1&b=1")
    tour.visit(f"/examiner/exams/{site.candidates[BROWSERS[0]][1]}", "exam replay")
    tour.visit(f"/examiner/proctoring/{site.proctored[1]}", "proctoring case")
    for step in (AppState.PAID, AppState.APPROVED, AppState.IDENTITY_REVIEW):
        tour.visit(f"/examiner/renewals/{site.renewals[step][1]}", f"renewal officer: {step}")
    tour.visit(f"/admin/users/{site.applicant_id}", "user")
    tour.visit(f"/admin/perpanjangan/dispensasi/{site.grace_window}", "grace window")
    tour.visit("/admin/users/new")
    send_unchecked(page, "main form[method=post]")
    tour.check("new staff user with errors")
    # what a new account and a new print station show once (the password, the token)
    page.locator("#full_name").fill("Petugas Baru")
    page.locator("#email").fill(f"axe-baru-{key}@example.id")
    page.locator("main input[name=roles]").first.check()
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator(ERRORS)).to_have_count(0)
    tour.check("new staff user created")
    tour.visit("/admin/print/stations")
    page.locator("main form[method=post] input[name=name]").fill(f"Percetakan {key}")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    expect(page.locator(ERRORS)).to_have_count(0)
    tour.check("new print station")


@pytest.mark.parametrize("key", BROWSERS)
def test_no_serious_or_critical_violation(browser, live_server, live_app, site, logins, key):
    lang, viewport = key.split("-")
    width, height = VIEWPORTS[viewport]
    # axe is injected into every page as a script of its own, which the pages' CSP would refuse
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="id-ID", bypass_csp=True
    )
    context.add_init_script(path=str(AXE))
    started = time.perf_counter()
    tour = Tour(context, live_server, lang, logins, HTML_PAGES)
    try:
        anonymous(tour, live_app, site)
        candidate(tour, live_app, site, key)
        proctored(tour, site)
        renewals(tour, site)
        staff(tour, live_app, site, key)
    finally:
        context.close()
    print(f"{key}: {tour.checked} pages in {time.perf_counter() - started:.1f} s")
    report = [
        f"{name}\n  {v['impact']} {v['rule']}: {v['help']} ({v['url']})\n    "
        + "\n    ".join(v["nodes"])
        for name, found in tour.found.items()
        for v in found
    ]
    assert not report, "\n".join(report)
    assert tour.checked > 60

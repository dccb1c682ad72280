"""Staff pages name every state and event in words, in the viewer's language, and show times in
the viewer's zone (issue 20, point 4: examiners saw 'graded', 'initial', 'failed (still)',
'tab_hidden', 'escalated', 'active' and '2026-12-06T23:15:53.923824+00:00').

Each staff role logs in, in Indonesian and in English, over a realistic world
(tests/staff_world.py), and every page it can reach by a link is read as a person reads it:
its visible text and the words it gives screen readers (title, alt, aria-label, placeholder).
No code of the app's state machines may appear there (the codes come from the enums and the
workflow tables themselves, so a new state is checked the day it is added), nor an ISO time.
The codes stay where machines read them: URLs, form values, data- attributes; and where a
record is shown verbatim on purpose, marked ``translate="no"`` (the audit trail's own text)."""

from __future__ import annotations

import enum
import importlib
import inspect
import itertools
import pkgutil
import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from flask_babel import force_locale
from werkzeug.exceptions import HTTPException

import ujisim
from tests.conftest import DEFAULT_PASSWORD
from tests.staff_world import build
from ujisim.core import workflow
from ujisim.core.security import Role
from ujisim.proctoring import checks, face_liveness, observations, reference, risk

#: text a person reads, beside the text nodes
READ_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
#: elements whose content nobody reads as a label: scripts, and a textarea's text, which is
#: what an author typed (a scene spec is YAML: its words are data, not the page's labels)
SILENT = {"script", "style", "template", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
#: what a crawl never follows: files, downloads, the logout and the language switch
NOT_PAGES = re.compile(r"\.(pdf|csv|svg|png|jpe?g|json)$|/foto$|^/(files|static|logout|lang)\b")


def _modules():
    """Every module of the app (not the Celery entry point, which builds an app of its own, nor
    the migrations)."""
    for info in pkgutil.walk_packages(ujisim.__path__, "ujisim."):
        if info.name.endswith("celery_app") or ".migrations" in info.name:
            continue
        yield importlib.import_module(info.name)


def app_codes() -> set[str]:
    """Every value of the app's string enums and every verb of its workflow tables."""
    codes = set()
    for module in _modules():
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, enum.StrEnum):
                codes |= {member.value for member in value}
    for flow in workflow.REGISTRY.values():
        codes |= set(flow.transitions.values())
    # proctoring's codes that are not an enum: browser events, why a try failed, the risk
    # weights' names, the challenge's movements, where a reference photo came from
    codes |= {*observations.EVENT_TYPES, *checks.FAILURE_REASONS, *risk.DEFAULT_WEIGHTS}
    return codes | set(face_liveness.ACTIONS) | set(reference.SOURCES)


class Reader(HTMLParser):
    """The text of a page as a person meets it, without what is marked translate="no"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []
        self.links: list[str] = []
        self.lang = ""

    def quiet(self) -> bool:
        return any(silent for _tag, silent in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang", "")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        silent = tag in SILENT or attrs.get("translate") == "no"
        if not (self.quiet() or silent):
            self.texts += [attrs[name] for name in READ_ATTRIBUTES if attrs.get(name)]
        if tag not in VOID:
            self.stack.append((tag, silent))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self.quiet() and data.strip():
            self.texts.append(data.strip())


def findings(text: str, codes: set[str]) -> list[str]:
    """The codes and ISO times in ``text`` (codes: those the crawl looks for)."""
    # whole words only: a random public id ("...OTLokP9...") holds lower-case runs like "ok"
    words = set(re.findall(r"\b[a-z][a-z0-9_]*[a-z0-9]\b", text))
    return sorted(words & codes) + ISO_TIME.findall(text)


def crawl(client, start: list[str], codes: set[str], lang: str, per_page: int = 3):
    """Every page reachable by links from ``start`` (same site, GET, HTML, in ``lang``), at
    most ``per_page`` URLs of each view (the same template over other rows or filters): what
    each shows that it should not, by URL; and the views read."""
    urls = client.application.url_map.bind("localhost")
    seen, queue, found, views, read = set(), list(start), {}, Counter(), set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            view = urls.match(urlsplit(url).path)[0]
        except HTTPException:
            continue
        views[view] += url not in start
        if views[view] > per_page:
            continue
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        reader = Reader()
        reader.feed(response.get_data(as_text=True))
        assert reader.lang == lang, url
        read.add(view)
        bad = sorted(
            {f"{f} in {text[:80]!r}" for text in reader.texts for f in findings(text, codes)}
        )
        if bad:
            found[url] = bad
        for link in reader.links:
            target = urlsplit(urljoin(url, link))
            if target.netloc not in ("", "localhost") or NOT_PAGES.search(target.path):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return found, read


def role_pages(app, role: Role) -> dict[str, str]:
    """The pages only staff see that ``role`` may open (not files: PDF, CSV): view -> rule."""
    return {
        rule.endpoint: rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and role in getattr(app.view_functions[rule.endpoint], "required_roles", ())
        and Role.APPLICANT not in app.view_functions[rule.endpoint].required_roles
        and not NOT_PAGES.search(rule.rule)
    }


def world_pages(world) -> list[str]:
    """Each object of the world's own page (a crawl sees only the first few of each view)."""
    return [
        *(f"/examiner/exams/{a.public_id}" for a in world["attempts"]),
        *(f"/examiner/proctoring/{a.public_id}" for a in world["cases"]),
        *(f"/examiner/renewals/{r.public_id}" for r in world["renewals"]),
        *(f"/examiner/items/{code}" for code in world["items"]),
    ]


@pytest.fixture
def world(db, make_user, frozen_clock, face_work_once):
    return build(db, make_user)


@pytest.mark.parametrize("role", [Role.EXAMINER, Role.ADMIN, Role.PRINT_SHOP])
def test_staff_pages_show_words_and_local_times(client, world, role):
    """As the world's own staff (the print shop holds jobs, the examiner has graded and
    reviewed). In Indonesian no code may show at all (a code is an English word or a snake_case
    name, never Indonesian); in English the snake_case codes (a single-word code such as
    'passed' may be the English label itself, and it shows untranslated in the Indonesian
    run)."""
    assert client.login(world["staff"][role].email, DEFAULT_PASSWORD).status_code == 302
    codes = app_codes()
    staff_pages = role_pages(client.application, role)
    # the role's pages that need no object, whether the menu links them or not; the rest are
    # reached by links
    pages = ["/", *(r for r in staff_pages.values() if "<" not in r), *world_pages(world)]
    indonesian, read = crawl(client, pages, codes, "id")
    client.submit("/lang", {"lang": "en"})
    english, _read = crawl(client, pages, {code for code in codes if "_" in code}, "en")
    assert (indonesian, english) == ({}, {})
    assert set(staff_pages) - read == set()  # every staff page of the role was read


def test_a_refused_move_names_its_states_in_words(app):
    """A refused move reaches staff as a flash (a second click on a stale page, a race with a
    colleague): every workflow's refusal names both states in the reader's language, never by
    their codes ("This grace window cannot go from published to published")."""
    codes = app_codes()
    for flow in workflow.REGISTRY.values():
        start, to = next(pair for pair in itertools.product(flow.states, repeat=2)
                         if pair not in flow.transitions)  # fmt: skip
        for locale, looked_for in (("id", codes), ("en", {c for c in codes if "_" in c})):
            with force_locale(locale):
                message = str(flow.refuse(start, to))
            assert findings(message, looked_for) == [], (flow.model.__name__, locale, message)

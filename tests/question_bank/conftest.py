"""Examiners with browsers of their own, for the authoring and publishing pages; the shipped
bank read once per worker."""

import functools

import pytest

from tests.conftest import DEFAULT_PASSWORD
from ujisim.core.security import Role
from ujisim.question_bank.content import load_dir


@functools.cache
def shipped_bank() -> tuple:
    """``load_dir()`` of the repository's bank: (items, problems), read once per worker (parsing
    its YAML is about half a second; the items are frozen, so every test can share them)."""
    items, problems = load_dir()
    return tuple(items), tuple(problems)


@pytest.fixture
def examiner(app, make_user):
    """A new examiner with a browser of their own, logged in, pages in English."""

    def make():
        user = make_user(Role.EXAMINER)
        browser = app.test_client()
        assert browser.login(user.email, DEFAULT_PASSWORD).status_code == 302
        browser.submit("/lang", {"lang": "en", "next": "/"})
        browser.user = user
        return browser

    return make


@pytest.fixture
def author(examiner):
    return examiner()


@pytest.fixture
def reviewer(examiner):
    return examiner()

"""Examiners with browsers of their own, for the authoring and publishing pages."""

import pytest

from tests.conftest import DEFAULT_PASSWORD
from ujisim.core.security import Role


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

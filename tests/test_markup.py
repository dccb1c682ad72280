"""No page writes Python's ``None`` into an HTML attribute (issue 20, point 4: the form macro
rendered ``aria-invalid="None"`` and ``aria-describedby="None"`` on every field without an
error, which screen readers announce as an invalid field). Every page that takes no argument is
fetched as a user holding every role, and once without a login."""

import re

import pytest

from ujisim.core.security import Role

NONE_ATTRIBUTE = re.compile(r'[\w:-]+="None"')
#: pages whose GET changes something or streams a file
SKIP = {"static", "logout"}


def pages(app) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint not in SKIP
    )


def leaks(client, url: str) -> list[str]:
    response = client.get(url)
    if response.status_code != 200 or response.mimetype != "text/html":
        return []
    return NONE_ATTRIBUTE.findall(response.get_data(as_text=True))


def test_no_attribute_says_none(app, client, login):
    anonymous = {url: leaks(client, url) for url in pages(app)}
    login(*Role, locale="en")
    staff = {url: leaks(client, url) for url in pages(app)}
    assert {url: found for url, found in {**anonymous, **staff}.items() if found} == {}
    # the pages with forms were among them
    assert "/login" in anonymous
    assert len(staff) > 30


@pytest.mark.parametrize("url", ["/login", "/register"])
def test_a_refused_form_marks_only_its_fields(client, url):
    """A field with an error is aria-invalid and described by its message; the others carry
    neither attribute."""
    page = client.submit(url, {}).get_data(as_text=True)
    assert 'aria-invalid="true"' in page
    assert not NONE_ATTRIBUTE.search(page)

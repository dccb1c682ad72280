"""One check for every ``next`` the site redirects to (issue 17, point 1): only a plain local
path passes; what a browser would read as another host, or a header cannot carry, does not."""

from __future__ import annotations

import pytest

from ujisim.core.redirects import safe_next


@pytest.mark.parametrize(
    "target",
    [
        "/account",
        "/perpanjangan/abc?x=1&y=2",
        "/ujian/abc#top",
        "/a:b",
    ],
)
def test_local_paths_pass(target):
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",  # a browser drops the tab: //evil.example
        "/\n/evil.example",
        "/\r\n/x",
        "/ /evil.example",
        "/\x7f/x",
        "javascript:alert(1)",
        "evil.example",
        "/" + "a" * 600,
    ],
)
def test_anything_else_is_refused(target):
    assert safe_next(target) is None

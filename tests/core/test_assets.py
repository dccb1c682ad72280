"""Static files under versioned URLs cached for a year, and compressed responses (issue 20,
point 7: core/assets.py); HTML pages stay uncompressed (BREACH)."""

import gzip
import re

import brotli

from ujisim.core.assets import LONG

STATIC = re.compile(r'/static/js/app\.js\?v=([0-9a-f]{12})"')


def test_static_urls_carry_the_files_version_and_are_kept_a_year(client):
    page = client.get("/login").get_data(as_text=True)
    version = STATIC.search(page).group(1)
    response = client.get(f"/static/js/app.js?v={version}")
    assert response.headers["Cache-Control"] == LONG
    # an old version's URL (or none) is revalidated: the browser gets the file as it is now
    for stale in ("?v=000000000000", ""):
        response = client.get(f"/static/js/app.js{stale}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"


def test_static_files_are_compressed_for_a_browser_that_accepts_it(client):
    plain = client.get("/static/js/exam.js").get_data()
    packed = client.get("/static/js/exam.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "br"
    body = packed.get_data()
    assert brotli.decompress(body) == plain
    assert len(body) < len(plain) / 2


def test_json_is_compressed(client):
    plain = client.get("/api/v1/exam/openapi.json").get_data()
    packed = client.get("/api/v1/exam/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain


def test_pages_are_not_compressed(client):
    """A page carries the CSRF token beside text a visitor can put in: compressing it would let
    an attacker read the token by the responses' sizes (BREACH)."""
    page = client.get("/login", headers={"Accept-Encoding": "br, gzip"})
    assert page.status_code == 200
    assert "Content-Encoding" not in page.headers
    assert 'name="csrf_token"' in page.get_data(as_text=True)

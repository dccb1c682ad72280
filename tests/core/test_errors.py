"""Error pages in both languages, the JSON error shape, 413 and headers."""

import pytest

from tests.conftest import _test_config
from ujisim.core.security import Role

PAGES = {
    400: ("Permintaan tidak valid", "Bad request"),
    403: ("Akses ditolak", "Access denied"),
    404: ("Halaman tidak ditemukan", "Page not found"),
    405: ("Metode tidak diizinkan", "Method not allowed"),
    409: ("Konflik data", "Conflict"),
    413: ("Berkas terlalu besar", "File too large"),
    422: ("Data tidak valid", "Invalid data"),
    429: ("Terlalu banyak percobaan", "Too many attempts"),
    500: ("Kesalahan server", "Server error"),
}


# the tests add routes to their app
pytestmark = pytest.mark.fresh_app


@pytest.fixture
def app_config(tmp_path, database_url):
    return _test_config(tmp_path, database_url, MAX_CONTENT_LENGTH=1024, PROPAGATE_EXCEPTIONS=False)


@pytest.fixture
def trigger(app, client, login):
    """Make the app answer with ``status`` through a real code path."""
    from werkzeug.exceptions import abort

    from ujisim.core.errors import ConflictError, ValidationError

    def boom():
        raise RuntimeError("kaput")

    def conflict():
        raise ConflictError("x")

    def invalid():
        raise ValidationError("x", {"nik": "y"})

    def limited():
        abort(429)

    app.add_url_rule("/_boom", view_func=boom)
    app.add_url_rule("/_conflict", view_func=conflict)
    app.add_url_rule("/_invalid", view_func=invalid)
    app.add_url_rule("/_limited", view_func=limited)

    def do(status, **kw):
        if status == 400:
            return client.post("/lang", data={"lang": "en"}, **kw)  # no CSRF token
        if status == 403:
            login(Role.APPLICANT)
            return client.get("/admin/users", **kw)
        if status == 404:
            return client.get("/tidak-ada", **kw)
        if status == 405:
            return client.get("/logout", **kw)
        if status == 413:
            return client.post("/login", data={"email": "x" * 5000}, **kw)
        return client.get(
            {409: "/_conflict", 422: "/_invalid", 429: "/_limited", 500: "/_boom"}[status], **kw
        )

    return do


@pytest.mark.parametrize("status", sorted(PAGES))
def test_error_pages_in_both_languages(client, trigger, status):
    indonesian, english = PAGES[status]
    response = trigger(status)
    assert response.status_code == status
    assert indonesian in response.get_data(as_text=True)
    client.submit("/lang", {"lang": "en"})
    response = trigger(status)
    assert response.status_code == status
    assert english in response.get_data(as_text=True)


@pytest.mark.parametrize("status", sorted(PAGES))
def test_json_error_shape(trigger, status):
    response = trigger(status, headers={"Accept": "application/json"})
    assert response.status_code == status
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]


def test_api_paths_always_answer_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_validation_fields_are_in_the_json(trigger):
    body = trigger(422, headers={"Accept": "application/json"}).get_json()
    assert body["error"]["fields"] == {"nik": "y"}


def test_405_names_the_allowed_methods(trigger):
    assert "POST" in trigger(405).headers["Allow"]


def test_a_picture_asked_for_without_a_login_is_a_bare_401_and_no_session(client):
    """A picture the exam page fetches after its session ended gets 401 and no cookie: a redirect
    to the login page made a new anonymous session per picture, and the last one to arrive
    replaced the session (and CSRF token) of the login the user had just opened."""
    picture = client.get("/ujian/x/media/0.svg", headers={"Sec-Fetch-Dest": "image"})
    assert picture.status_code == 401
    assert picture.get_data() == b""
    assert "Set-Cookie" not in picture.headers
    page = client.get("/ujian/x/media/0.svg", headers={"Sec-Fetch-Dest": "document"})
    assert page.status_code == 302
    assert "/login" in page.headers["Location"]

import pytest

from tests.conftest import _test_config


def test_csp_and_friends_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # plain http


def test_pages_have_no_inline_script(client):
    page = client.get("/register").get_data(as_text=True)
    assert "<script>" not in page
    assert " onclick=" not in page
    assert '<script src="/static/js/app.js?v=' in page


def test_hsts_on_https(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


class TestBehindProxy:
    @pytest.fixture
    def app_config(self, tmp_path, database_url):
        return _test_config(tmp_path, database_url, PROXY_HOPS=1)

    def test_hsts_when_the_proxy_says_https(self, client):
        response = client.get("/", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" in response.headers


def test_static_files_are_served_by_the_app(client):
    assert client.get("/static/css/app.css").status_code == 200
    assert client.get("/static/js/app.js").status_code == 200

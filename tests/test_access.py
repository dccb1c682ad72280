"""Every URL of the app is either public or in the role matrix below; each protected URL sends
anonymous visitors to the login page and other roles to 403. Every form POST needs CSRF."""

import importlib
from pathlib import Path

import pytest

from ujisim.core.security import Role

ALL = set(Role)
# endpoint -> (method, url, roles allowed); "{user}" is replaced by a real user's public id.
# Each domain adds its own in tests/<domain>/access_*.py (PROTECTED, PUBLIC, URL_ARGS fixtures).
PROTECTED = {
    "accounts.account": ("GET", "/account", ALL),
    "accounts.logout": ("POST", "/logout", ALL),
    "admin.users": ("GET", "/admin/users", {Role.ADMIN}),
    "admin.new_user": ("GET", "/admin/users/new", {Role.ADMIN}),
    "admin.edit_user": ("GET", "/admin/users/{user}", {Role.ADMIN}),
    "admin.delete_user": ("POST", "/admin/users/{user}/delete", {Role.ADMIN}, 422),
    "admin.sign_out_user": ("POST", "/admin/users/{user}/sign-out", {Role.ADMIN}, 302),
    "admin.outbox": ("GET", "/admin/outbox", {Role.ADMIN}),
    "files.download": ("GET", "/files/{file}", ALL),
}
PUBLIC = {
    "static",
    "main.index",
    "main.set_language",
    "main.healthz",
    "accounts.register",
    "accounts.login",
    "accounts.forgot_password",
    "accounts.reset_password",
}
# POST endpoints that do not take a browser form (none yet; bearer-token APIs will).
CSRF_EXEMPT: set[str] = set()

URL_ARG_MAKERS = []  # url_args(db, make_user, name) -> value, for a URL placeholder ``{name}``
for _path in sorted(Path(__file__).parent.glob("*/access_*.py")):
    _module = importlib.import_module(f"tests.{_path.parent.name}.{_path.stem}")
    if hasattr(_module, "url_args"):
        URL_ARG_MAKERS.append(_module.url_args)
    PROTECTED.update(getattr(_module, "PROTECTED", {}))
    PUBLIC.update(getattr(_module, "PUBLIC", set()))
    CSRF_EXEMPT.update(getattr(_module, "CSRF_EXEMPT", set()))


def test_every_endpoint_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - PUBLIC - set(PROTECTED) == set()
    assert set(PROTECTED) - endpoints == set()


def core_url_args(db, make_user, name):
    from ujisim.core import storage

    target = make_user(Role.APPLICANT)
    if name == "user":
        return target.public_id
    if name == "file":
        stored = storage.store(db, b"data", content_type="text/plain", purpose="t", owner=target)
        return stored.public_id
    return None


class LazyArgs(dict):
    """Builds the value of a URL placeholder only when a URL asks for it."""

    def __init__(self, db, make_user):
        super().__init__()
        self.db, self.make_user = db, make_user

    def __missing__(self, name):
        for make in [core_url_args, *URL_ARG_MAKERS]:
            if make.__code__.co_argcount == 2:  # url_args(db, make_user) -> every value at once
                values = make(self.db, self.make_user)
                value = values.get(name)
            else:
                value = make(self.db, self.make_user, name)
            if value is not None:
                self.db.commit()
                self[name] = value
                return value
        raise KeyError(name)


@pytest.fixture
def urls(make_user, db):
    return LazyArgs(db, make_user)


def _call(client, method, url):
    if method == "GET":
        return client.get(url)
    return client.submit(url)


@pytest.mark.parametrize("endpoint", sorted(PROTECTED))
def test_anonymous_is_sent_to_login(client, urls, endpoint):
    method, url, *_rest = PROTECTED[endpoint]
    response = _call(client, method, url.format_map(urls))
    if url.startswith("/api/"):
        # scripts get a JSON 401 they can act on (keep their data, ask for a new login)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
        return
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("endpoint", sorted(PROTECTED))
def test_roles(client, login, urls, endpoint, role):
    method, url, allowed, *expected = PROTECTED[endpoint]
    login(role)
    response = _call(client, method, url.format_map(urls))
    if role not in allowed:
        assert response.status_code == 403
    elif endpoint == "files.download":
        # The file belongs to somebody else: only an admin may read it; others get 404.
        assert response.status_code == (200 if role == Role.ADMIN else 404)
    elif endpoint == "accounts.logout":
        assert (response.status_code, response.headers["Location"]) == (302, "/")
    else:
        assert response.status_code == (expected[0] if expected else 200)


def _sample(converter):
    """A value the URL converter accepts (the CSRF check runs before the view looks at it)."""
    from werkzeug.routing import AnyConverter, IntegerConverter

    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return 1 if isinstance(converter, IntegerConverter) else "x"


def post_endpoints(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint not in CSRF_EXEMPT:
            args = {name: _sample(rule._converters[name]) for name in rule.arguments}
            yield rule.endpoint, rule.rule, args


def test_every_form_post_without_csrf_token_is_refused(app, client, login):
    from flask import url_for

    with app.test_request_context():
        targets = [(e, url_for(e, **args)) for e, _rule, args in post_endpoints(app)]
    assert len(targets) >= 7
    for logged_in in (False, True):
        if logged_in:
            login(Role.ADMIN, Role.APPLICANT, Role.EXAMINER, Role.PRINT_SHOP)
        for endpoint, url in targets:
            response = client.post(url, data={"x": "1"})
            assert response.status_code == 400, (endpoint, logged_in)
            if url.startswith("/api/"):
                assert response.get_json()["error"]["code"] == "csrf_failed"
            else:
                assert "Permintaan tidak valid" in response.get_data(as_text=True)

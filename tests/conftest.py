"""Fixtures: an app per test on a rolled-back transaction, on SQLite and (when
UJISIM_TEST_DATABASE_URL is set) again on PostgreSQL; factories; a browser-like client."""

from __future__ import annotations

import functools
import itertools
import os

import pytest
from flask import Flask

from tests.faces import memoise_face_work
from tests.support import (
    PG_URL,
    REDIS_URL,
    Browser,
    FrozenClock,
    limiter_state,
    migrate,
    restore_limiter,
    temporary_pg_database,
)
from ujisim.app import create_app
from ujisim.core.db import get_db, get_session
from ujisim.core.security import Role

# Every app the suite starts, in this process or another (gunicorn, a Celery worker, a bench),
# hashes passwords at argon2's least cost; tests/accounts/test_passwords.py tests production's.
os.environ["UJISIM_PASSWORD_HASH_PROFILE"] = "CHEAPEST"

# Redis-backed tests need the running Redis; CI sets UJISIM_TEST_REDIS_URL (README: Configuration).
collect_ignore = [] if REDIS_URL else ["core/test_redis.py", "proctoring/test_celery.py"]
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
DEFAULT_PASSWORD = "kunci-rahasia-uji-2026"


def _test_config(tmp_path, url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "STORAGE_DIR": str(tmp_path / "files"),
        "JOBS_BACKEND": "eager",
        "SHOW_OUTBOX": True,
        # the public address of links in e-mails and QR codes: the test client's host
        "PUBLIC_URL": "http://localhost",
        "SMTP_HOST": None,
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Flask-Limiter keeps the last app's RATELIMIT_ENABLED for the process: every test app
        # says it, so a test app with limits off does not switch them off for later tests
        "RATELIMIT_ENABLED": True,
        # tests move a frozen clock by days while a client stays logged in; the idle end of a
        # session has its own tests (tests/accounts/test_sessions.py)
        "SESSION_IDLE_SECONDS": 0,
        # argon2id at its least cost (about 1 ms a check against 140 ms): logins are in most
        # tests; the production profile has its own tests (tests/accounts/test_passwords.py)
        "PASSWORD_HASH_PROFILE": os.environ["UJISIM_PASSWORD_HASH_PROFILE"],
        # a paper of questions only, as most exam tests sit it; the clip part's tests
        # (tests/exam/test_exam_clips.py, tests/e2e/test_exam_clips.py) set their own count
        "EXAM_CLIPS": 0,
        **extra,
    }


#: the backend of a test whose subject is not the database: production's when CI has it
ONE_BACKEND = BACKENDS[-1]


def pytest_collection_modifyitems(config, items):
    """A test whose subject is the database (its module marked ``both_backends``: migrations,
    the workflow and unit of work, locking and concurrency, the SQL written per dialect) runs on
    SQLite and on PostgreSQL; every other test runs on ONE_BACKEND only. The browser tests run
    on SQLite, as ``make run`` does (tests/e2e/conftest.py)."""
    keep, dropped = [], []
    for item in items:
        backend = getattr(item, "callspec", None) and item.callspec.params.get("database_url")
        if backend and backend != ONE_BACKEND and not item.get_closest_marker("both_backends"):
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    # the longest files first, so that no worker starts one near the end while the others wait
    # (make test passes --no-loadscope-reorder: xdist would otherwise order files by test count)
    items[:] = sorted(keep, key=_start_order)


#: the files that take longest (the junit durations of a full run), which a worker starts first;
#: only the order of the run depends on this list
LONGEST_FIRST = (
    "tests/e2e/test_axe.py",
    "tests/e2e/test_proctoring.py",
    "tests/e2e/test_renewal.py",
    "tests/e2e/test_exam_tabs.py",
    "tests/e2e/",
    "tests/exam/test_reliability.py",
    "tests/proctoring/test_bench_liveness.py",
    "tests/proctoring/test_candidate.py",
    "tests/proctoring/test_attacks.py",
    "tests/certificates/test_print_concurrency.py",
    "tests/renewal/test_identity",
    "tests/test_access.py",
    "tests/proctoring/",
)


def _start_order(item) -> int:
    path = item.nodeid.split("::", 1)[0]
    return next(
        (n for n, prefix in enumerate(LONGEST_FIRST) if path.startswith(prefix)),
        len(LONGEST_FIRST),
    )


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A migrated database for the whole run, one per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
        migrate(create_app(_test_config(tmp_path_factory.mktemp("m"), url)))
        yield url
        return
    with temporary_pg_database(PG_URL) as url:
        migrate(create_app(_test_config(tmp_path_factory.mktemp("m"), url)))
        yield url


@pytest.fixture
def app_config(tmp_path, database_url):
    """Extra config for the ``app`` fixture; override in a test module to change it."""
    return _test_config(tmp_path, database_url)


#: the apps this worker has built, by their config with the test's own folders left out:
#: building one compiles ~130 URL rules (about 60 ms), which every test used to pay
_APPS: dict[str, Flask] = {}
#: each cached app's config, extensions and limiter state as built
_BUILT: dict[Flask, tuple] = {}
#: how many differently configured apps a worker keeps (modules with a config of their own)
APP_CACHE_SIZE = 6
#: per-test settings: each test gets its own folders in the cached app
PER_TEST = ("INSTANCE_PATH", "STORAGE_DIR")


def _cache_key(config: dict, tmp_path) -> str | None:
    """The config as a key, with the test's tmp_path written as a placeholder; None when a value
    has no stable text (a new object each test: such a config builds its own app)."""
    parts = []
    for name, value in sorted(config.items()):
        if name in PER_TEST:
            continue
        text = repr(value)
        if " at 0x" in text:
            return None
        parts.append(f"{name}={text.replace(str(tmp_path), '<tmp>')}")
    return "\n".join(parts)


def _built_app(config: dict, tmp_path, fresh: bool) -> Flask:
    """The worker's app for ``config`` (built on first use), reset to a fresh app's state: its
    config as built plus this test's values, empty rate-limit counters, the test's folders."""
    key = None if fresh else _cache_key(config, tmp_path)
    app = _APPS.get(key) if key else None
    if app is None:
        app = create_app(config)
        app.test_client_class = Browser
        _BUILT[app] = (dict(app.config), dict(app.extensions), limiter_state())
        if key:
            while len(_APPS) >= APP_CACHE_SIZE:
                evicted = _APPS.pop(next(iter(_APPS)))
                get_db(evicted).dispose()
                del _BUILT[evicted]
            _APPS[key] = app
        return app
    built_config, built_extensions, built_limiter = _BUILT[app]
    app.config.clear()
    app.config.update(built_config)
    app.config.update(config)  # this test's folders and any value that only names them
    app.extensions.clear()  # a test may have swapped one (a job runner, a signing key)
    app.extensions.update(built_extensions)
    app.instance_path = config["INSTANCE_PATH"]
    os.makedirs(app.instance_path, exist_ok=True)
    restore_limiter(built_limiter)
    return app


@pytest.fixture
def app(request, app_config, tmp_path):
    """An app whose every session is a savepoint in one transaction rolled back after the test.
    The worker builds one app per distinct config and resets it for each test; a module that
    changes the app itself (adds routes) marks itself ``fresh_app``."""
    fresh = request.node.get_closest_marker("fresh_app") is not None
    app = _built_app(app_config, tmp_path, fresh)
    database = get_db(app)
    connection = database.engine.connect()
    outer = connection.begin()
    database.bind_to(connection)
    with app.app_context():
        yield app
    database.bind_to(None)
    outer.rollback()
    connection.close()
    if fresh or _APPS.get(_cache_key(app_config, tmp_path) or "") is not app:
        database.dispose()


@pytest.fixture
def client(app) -> Browser:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """The session of the test's app context (a savepoint inside the test transaction)."""
    return get_session()


@pytest.fixture
def frozen_clock(app) -> FrozenClock:
    clock = FrozenClock()
    app.config["CLOCK"] = clock
    return clock


@functools.cache
def _hash(password: str) -> str:
    """The test users' hash, made with the test apps' profile (so no login rehashes it)."""
    from ujisim.accounts.passwords import hasher

    return hasher("CHEAPEST").hash(password)


_counter = itertools.count(1)


def add_user(
    session,
    email: str,
    *roles: Role,
    password: str = DEFAULT_PASSWORD,
    full_name: str | None = None,
    **fields,
):
    """Add a user with ``roles`` (default: applicant) and flush; the caller commits. ``fields``:
    any other column (nik, date_of_birth, locale, ...). The full name defaults to the e-mail's
    local part."""
    from ujisim.accounts.models import UserRole
    from ujisim.accounts.services import _new_user

    user = _new_user(
        email=email,
        full_name=full_name or email.split("@")[0],
        password_hash=_hash(password),
        **fields,
    )
    user.roles = [UserRole(role=r) for r in (roles or (Role.APPLICANT,))]
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def make_user(db):
    """Create a committed user: ``make_user(Role.EXAMINER, email=..., password=...)``."""

    def make(*roles: Role, email: str | None = None, **fields):
        n = next(_counter)
        fields.setdefault("full_name", f"Pengguna {n}")
        user = add_user(db, email or f"user{n}@example.id", *roles, **fields)
        db.commit()
        return user

    return make


@pytest.fixture
def login(client, make_user):
    """Log the client in as a new user with ``roles``; returns the user."""

    def do(*roles: Role, **fields):
        user = make_user(*roles, **fields)
        response = client.login(user.email, DEFAULT_PASSWORD)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return do


@pytest.fixture
def bank(db):
    """The exam tests' bank (tests/exam/conftest.py ``make_items``) imported and published; its
    bank version. Question-bank tests define banks of their own."""
    from tests.exam.conftest import make_items
    from ujisim.question_bank import services

    result = services.import_contents(db, make_items())
    db.commit()
    return result.bank_version


@pytest.fixture
def face_work_once(monkeypatch):
    """The app's burst analysis and reference encoding memoised for this test
    (tests/faces.py ``memoise_face_work``): for tests that enrol a reference or pass an identity
    check on the way to their subject. What the worker has not seen before is analysed for
    real."""
    memoise_face_work(monkeypatch)


@pytest.fixture
def signed_in(app):
    """``signed_in(user)``: a test client of its own, logged in as ``user`` (its own session,
    so several users can act in one test)."""

    def make(user):
        client = app.test_client()
        assert client.login(user.email, DEFAULT_PASSWORD).status_code == 302
        return client

    return make

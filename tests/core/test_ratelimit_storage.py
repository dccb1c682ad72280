"""Rate-limit counters in the app's database (core/ratelimits.py), on a committed database
(SQLite, and PostgreSQL when configured): every app process counts in the same row, windows end
on the app's clock, concurrent hits are counted exactly, and a count never waits on the
request's own SQLite write lock."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from tests.conftest import BACKENDS, DEFAULT_PASSWORD, _test_config, add_user
from tests.support import Browser, FrozenClock, committed_database, migrate
from ujisim.app import create_app
from ujisim.core import ratelimits
from ujisim.core.db import get_db, get_session
from ujisim.core.ratelimits import COUNTER, DatabaseStorage, RateLimitCounter
from ujisim.core.security import Role, limiter

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL


def _config(tmp_path, url: str, **extra) -> dict:
    # RATELIMIT_ENABLED: an app created with it off turns the one ``limiter`` off for every
    # later app of the process (Flask-Limiter keeps it), as a test elsewhere does
    return _test_config(
        tmp_path,
        url,
        RATELIMIT_STORAGE_URI=ratelimits.STORAGE_URI,
        RATELIMIT_ENABLED=True,
        **extra,
    )


@pytest.fixture(params=BACKENDS)
def shared_url(request, tmp_path):
    """A migrated database other apps (and processes) can see."""
    with committed_database(request.param, tmp_path) as url:
        app = create_app(_config(tmp_path, url))
        migrate(app)
        get_db(app).dispose()
        yield url


@pytest.fixture
def two_apps(tmp_path, shared_url):
    """Two apps on the same database, as two gunicorn workers are."""
    apps = [create_app(_config(tmp_path / str(n), shared_url)) for n in range(2)]
    for app in apps:
        app.test_client_class = Browser
    yield apps
    for app in apps:
        get_db(app).dispose()


@pytest.fixture
def storage():
    return DatabaseStorage(ratelimits.STORAGE_URI)


def _hit(app, storage, key="k", expiry=60):
    with app.app_context():
        return storage.incr(key, expiry)


def test_without_redis_the_limits_are_kept_in_the_database(tmp_path):
    config = _config(tmp_path, f"sqlite:///{tmp_path / 'x.db'}")
    del config["RATELIMIT_STORAGE_URI"]
    app = create_app(config)
    assert app.config["RATELIMIT_STORAGE_URI"] == "ujisim-db://"
    assert isinstance(limiter.storage, DatabaseStorage)


def test_with_redis_the_limits_stay_on_redis(tmp_path):
    config = _config(tmp_path, f"sqlite:///{tmp_path / 'x.db'}")
    del config["RATELIMIT_STORAGE_URI"]
    app = create_app({**config, "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert not isinstance(limiter.storage, DatabaseStorage)


def test_two_apps_count_in_one_row(two_apps, storage):
    first, second = two_apps
    counts = [_hit(app, storage) for app in [first, second] * 5]
    assert counts == list(range(1, 11))
    with second.app_context():
        assert storage.get("k") == 10
        assert storage.get("another") == 0
        assert storage.check()


def test_a_window_ends_on_the_clock_and_the_next_hit_starts_a_new_one(two_apps, storage):
    app = two_apps[0]
    clock = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    app.config["CLOCK"] = clock
    started = clock.current.timestamp()
    assert [_hit(app, storage, expiry=60) for _ in range(3)] == [1, 2, 3]
    with app.app_context():
        assert storage.get_expiry("k") == started + 60
    clock.advance(seconds=59)
    assert _hit(app, storage, expiry=60) == 4  # hits inside the window do not move its end
    with app.app_context():
        assert storage.get_expiry("k") == started + 60
    clock.advance(seconds=1)
    with app.app_context():
        assert storage.get("k") == 0
        assert storage.get_expiry("k") == clock.current.timestamp()
    assert _hit(app, storage, expiry=60) == 1
    with app.app_context():
        assert storage.get_expiry("k") == started + 120


def test_concurrent_hits_from_two_apps_are_counted_exactly(two_apps, storage):
    results: list[int] = []
    errors: list[BaseException] = []

    def worker(app):
        try:
            for _ in range(10):
                results.append(_hit(app, storage))
        except BaseException as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(two_apps[n % 2],)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == list(range(1, 61))


def test_clear_reset_and_long_keys(two_apps, storage):
    app = two_apps[0]
    long_key = "x" * 400
    _hit(app, storage, "a")
    _hit(app, storage, long_key)
    assert _hit(app, storage, long_key) == 2
    with app.app_context():
        storage.clear("a")
        assert storage.get("a") == 0
        assert storage.get(long_key) == 2
        assert storage.reset() == 1
        assert storage.get(long_key) == 0


def test_ended_windows_are_deleted(two_apps, storage):
    app = two_apps[0]
    clock = FrozenClock(datetime.now(UTC))
    app.config["CLOCK"] = clock
    for n in range(5):
        _hit(app, storage, f"old{n}", expiry=10)
    clock.advance(seconds=ratelimits.PURGE_EVERY + 1)
    _hit(app, storage, "new", expiry=10)
    with app.app_context(), get_db(app).engine.connect() as connection:
        keys = connection.execute(select(COUNTER.c.key)).scalars().all()
    assert keys == ["new"]


def test_a_count_does_not_wait_on_the_requests_own_write_lock(two_apps, storage):
    app = two_apps[0]
    with app.test_request_context("/", method="POST"):
        session = get_session()  # a write session: on SQLite BEGIN IMMEDIATE at the first query
        session.execute(text("SELECT 1"))
        started = time.monotonic()
        assert storage.incr("k", 60) == 1
        assert time.monotonic() - started < 5


def test_a_count_refuses_to_drop_the_requests_unsaved_changes(two_apps, storage):
    app = two_apps[0]
    if get_db(app).dialect != "sqlite":
        pytest.skip("only SQLite's single writer needs the request's transaction ended")
    with app.test_request_context("/", method="POST"):
        session = get_session()
        session.execute(text("SELECT 1"))
        session.add(RateLimitCounter(key="pending", count=1, expires_at=datetime.now(UTC)))
        with pytest.raises(RuntimeError, match="unsaved changes"):
            storage.incr("k", 60)


def test_a_limit_keyed_by_the_user_counts_without_waiting_on_the_request(two_apps):
    app = two_apps[0]
    with app.app_context():
        session = get_session()
        add_user(session, "calon@example.id", Role.APPLICANT)
        session.commit()
    client = app.test_client()
    assert client.login("calon@example.id", DEFAULT_PASSWORD).status_code == 302
    started = time.monotonic()
    # role_required loads the user (the write session's first statement), then the per-user
    # limit of /ujian/mulai counts
    response = client.submit("/ujian/mulai", {})
    assert response.status_code == 303
    assert time.monotonic() - started < 5
    with app.app_context(), get_db(app).engine.connect() as connection:
        counted = connection.execute(select(func.sum(COUNTER.c.count))).scalar_one()
    assert counted >= 1

"""The login limits hold with several app processes, and per account (issue 17, point 4).

Without Redis the counters live in the app's database (core/ratelimits.py), so two gunicorn
processes on one database let exactly the configured failures through; in worker memory they
let twice as many. A second limit counts wrong passwords per account from any address: the
account's own password is refused only until the window that filled up ends.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import BACKENDS, DEFAULT_PASSWORD, _test_config, add_user
from tests.support import (
    Browser,
    FrozenClock,
    committed_copy,
    committed_per_backend,
    gunicorn,
)
from ujisim.accounts.services import get_user_by_email, set_password
from ujisim.app import create_app
from ujisim.core import ratelimits
from ujisim.core.db import get_db, get_session

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
WRONG = "salah-sekali-123"
VICTIM = "korban@example.id"


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """``templates(backend)``: (folder, URL) of a committed, migrated database with a victim and
    a bystander account, built once per module and backend; each test gets a copy of it."""

    def fill(session):
        add_user(session, VICTIM)
        add_user(session, "tetangga@example.id")

    with committed_per_backend(tmp_path_factory, "limits", create_shared_app, fill) as get:
        yield lambda backend: (get(backend).folder, get(backend).url)


@pytest.fixture(params=BACKENDS)
def shared_app(request, tmp_path, templates):
    """A committed, migrated database (other processes see it) with the default storage of
    the limits (no Redis: the database), a victim and a bystander account, and a clock of its
    own (a copy of the module's template database)."""
    folder = tmp_path / "shared"
    with committed_copy(*templates(request.param), folder) as url:
        app = create_shared_app(folder, url)
        app.test_client_class = Browser
        yield app
        get_db(app).dispose()


def create_shared_app(tmp_path, url):
    config = _test_config(
        tmp_path,
        url,
        RATELIMIT_STORAGE_URI=ratelimits.STORAGE_URI,
        # an app created with limits off turns the one ``limiter`` off for every later app of
        # the process (Flask-Limiter keeps it), as a test elsewhere does
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="10 per minute",
        LOGIN_ACCOUNT_RATE_LIMIT="5 per 15 minutes",
        # an hour behind the system clock: the wait a 429 gives is counted on the app's clock
        CLOCK=FrozenClock(datetime.now(UTC) - timedelta(hours=1)),
    )
    return create_app(config)


def server(app, **env):
    """The app's database under a gunicorn of its own (one worker, the default settings)."""
    return gunicorn(
        {
            "UJISIM_INSTANCE_PATH": app.instance_path,
            "UJISIM_DATABASE_URL": app.config["DATABASE_URL"],
            "UJISIM_LOGIN_RATE_LIMIT": "10 per minute",
            **env,
        },
        workers=1,
    )


def login_over_http(client: httpx.Client, email: str, password: str) -> httpx.Response:
    token = CSRF.search(client.get("/login").text).group(1)
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password})


def test_two_app_processes_on_one_database_hold_the_login_limit_exactly(shared_app):
    """30 wrong passwords from one address, every other one to another process: exactly 10
    x 401 then 429s (with the limit in each worker's memory: 20 x 401)."""
    with (
        server(shared_app) as (_first, first_base),
        server(shared_app) as (_second, second_base),
        httpx.Client(base_url=first_base, timeout=30) as first,
        httpx.Client(base_url=second_base, timeout=30) as second,
    ):
        statuses = [
            # a new e-mail each time: spraying from one address, not the per-account limit
            login_over_http(client, f"tebak{n}@example.id", WRONG).status_code
            for n, client in enumerate([first, second] * 15)
        ]
    assert statuses == [401] * 10 + [429] * 20


def test_make_run_with_two_workers_holds_the_login_limit(tmp_path, templates):
    """The set-up of ``make run``: SQLite, no Redis, one gunicorn with two workers (which of
    them answers is up to the kernel; with the limit in their memory each counted alone)."""
    folder = tmp_path / "make-run"
    with committed_copy(*templates("sqlite"), folder) as url:
        env = {
            "UJISIM_INSTANCE_PATH": str(folder / "instance"),
            "UJISIM_DATABASE_URL": url,
            "UJISIM_LOGIN_RATE_LIMIT": "10 per minute",
        }
        with (
            gunicorn(env, workers=2) as (_process, base),
            httpx.Client(base_url=base, timeout=30) as client,
        ):
            statuses = [
                login_over_http(client, f"tebak{n}@example.id", WRONG).status_code
                for n in range(30)
            ]
    assert statuses == [401] * 10 + [429] * 20


def _login_from(client: Browser, address: str, email: str, password: str):
    return client.submit(
        "/login", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_wrong_passwords_for_one_account_from_many_addresses_meet_the_account_limit(shared_app):
    client = shared_app.test_client()
    clock = shared_app.config["CLOCK"]
    for n in range(4):
        assert _login_from(client, f"10.0.0.{n}", VICTIM, WRONG).status_code == 401
    # the window is not full yet: the right password still works
    assert _login_from(client, "10.0.1.1", VICTIM, DEFAULT_PASSWORD).status_code == 302
    client.logout()
    assert _login_from(client, "10.0.0.4", VICTIM, WRONG).status_code == 401  # the 5th failure

    # full: refused from a new address, even with the right password, with a wait message
    refused = _login_from(client, "10.0.2.1", VICTIM, DEFAULT_PASSWORD)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Terlalu banyak percobaan. Tunggu" in page
    seconds = int(re.search(r"Tunggu (\d+) detik", page).group(1))
    assert seconds == 900  # the app's clock stands still: the whole 15-minute window
    assert 880 <= int(refused.headers["Retry-After"]) <= 900
    # other accounts from the same address are not affected
    assert _login_from(client, "10.0.2.1", "tetangga@example.id", WRONG).status_code == 401

    # the attacker keeps trying during the window: refused without a password check, and the
    # window does not grow
    clock.advance(minutes=10)
    assert _login_from(client, "10.0.3.1", VICTIM, WRONG).status_code == 429
    clock.advance(minutes=4, seconds=59)
    assert _login_from(client, "10.0.3.2", VICTIM, DEFAULT_PASSWORD).status_code == 429

    # once the window has passed (15 minutes after its first failure) the owner gets in
    clock.advance(seconds=1)
    assert _login_from(client, "10.0.2.1", VICTIM, DEFAULT_PASSWORD).status_code == 302


def test_the_account_limit_counts_every_spelling_of_the_email_as_one_account(shared_app):
    client = shared_app.test_client()
    spellings = [
        VICTIM,
        VICTIM.upper(),
        "Korban@Example.ID",
        "korban@EXAMPLE.id",
        "KORBAN@example.id",
    ]
    for n, spelling in enumerate(spellings):
        assert _login_from(client, f"10.0.0.{n}", spelling, WRONG).status_code == 401
    assert _login_from(client, "10.0.0.9", VICTIM, DEFAULT_PASSWORD).status_code == 429


def test_an_address_refused_for_one_account_keeps_its_own_budget(shared_app):
    """A refused (429) try checks no password and does not use up the address's limit: an
    office sharing one address can still log in to other accounts."""
    client = shared_app.test_client()
    for n in range(5):
        assert _login_from(client, f"10.0.0.{n}", VICTIM, WRONG).status_code == 401
    for _ in range(12):
        assert _login_from(client, "10.9.9.9", VICTIM, DEFAULT_PASSWORD).status_code == 429
    assert _login_from(client, "10.9.9.9", "tetangga@example.id", DEFAULT_PASSWORD).status_code == (
        302
    )


def test_a_failed_login_with_a_revoked_session_is_counted_without_waiting(shared_app):
    """A revoked session cookie makes the login page load the user (the request's first
    statement: on SQLite it takes the write lock) before an invalid form is refused and
    counted; the count must not wait for that lock."""
    client = shared_app.test_client()
    assert client.login(VICTIM, DEFAULT_PASSWORD).status_code == 302
    with shared_app.app_context():
        session = get_session()
        user = get_user_by_email(session, VICTIM)
        set_password(session, user, "kata-sandi-baru-sekali", action="accounts.password_reset")
        session.commit()
    started = time.monotonic()
    response = client.submit("/login", {"email": VICTIM})  # no password: 422, counted
    assert response.status_code == 422
    assert time.monotonic() - started < 5

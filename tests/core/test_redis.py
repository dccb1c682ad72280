"""Against the running Redis (UJISIM_TEST_REDIS_URL): a real Celery worker process runs the jobs,
and rate limits are shared by every app process. Collected only when that variable is set."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from tests.conftest import DEFAULT_PASSWORD, _test_config
from tests.smtp import SmtpServer
from tests.support import REDIS_URL, Browser, migrate
from ujisim.app import create_app
from ujisim.core.db import get_db, get_session
from ujisim.core.mail import MailStatus, OutboxMessage, queue_mail

CELERY = str(Path(sys.executable).with_name("celery"))


def wait_for(condition, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="module")
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture(scope="module")
def celery_worker(tmp_path_factory, smtp):
    """A committed SQLite database, an app sending jobs to a fresh queue, and a worker on it
    (started once for the module's tests)."""
    tmp_path = tmp_path_factory.mktemp("celery")
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    queue = f"ujisim-test-{secrets.token_hex(4)}"
    config = _test_config(
        tmp_path, url, JOBS_BACKEND="celery", REDIS_URL=REDIS_URL, JOBS_QUEUE=queue, **smtp.config()
    )
    app = create_app(config)
    migrate(app)
    env = dict(
        os.environ,
        UJISIM_DATABASE_URL=url,
        UJISIM_REDIS_URL=REDIS_URL,
        UJISIM_JOBS_QUEUE=queue,
        UJISIM_INSTANCE_PATH=config["INSTANCE_PATH"],
        UJISIM_SMTP_HOST="127.0.0.1",
        UJISIM_SMTP_PORT=str(smtp.port),
        UJISIM_SMTP_STARTTLS="0",
    )
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 (closed below)
    worker = subprocess.Popen(
        [
            CELERY,
            "-A",
            "ujisim.celery_app",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield app, tmp_path / "worker.log"
    worker.terminate()
    worker.wait(timeout=30)
    log.close()
    get_db(app).dispose()


@pytest.fixture
def celery_setup(celery_worker, smtp):
    """The module's app and worker, with an empty outbox and inbox."""
    app, _log = celery_worker
    with app.app_context():
        session = get_session()
        session.execute(delete(OutboxMessage))
        session.commit()
    smtp.inbox.messages.clear()
    return app


def test_celery_worker_delivers_mail_after_commit(celery_setup, celery_worker, smtp):
    app, log = celery_worker
    with app.app_context():
        session = get_session()
        message = queue_mail(
            session, to="pemohon@example.id", subject="Uji", body="Halo", kind="test"
        )
        message_id = message.id
        session.commit()
    delivered = wait_for(lambda: smtp.inbox.messages)
    assert delivered, log.read_text()[-3000:]
    assert smtp.inbox.messages[0]["Subject"] == "Uji"

    def sent():
        with app.app_context():
            row = get_session().get(OutboxMessage, message_id)
            return row.status == MailStatus.SENT

    assert wait_for(sent, 15)


def test_rolled_back_job_never_reaches_the_worker(celery_setup, smtp):
    app = celery_setup
    with app.app_context():
        session = get_session()
        queue_mail(session, to="x@example.id", subject="Batal", body="-", kind="test")
        session.rollback()
        ok = queue_mail(session, to="y@example.id", subject="Jadi", body="-", kind="test")
        session.commit()
        assert ok.id
        queue_mail(session, to="z@example.id", subject="Akhir", body="-", kind="test")
        session.commit()
    # one worker (solo pool) takes the queue in order: once the last message is delivered,
    # every job sent before it (one for the rolled-back message too, had it been sent) has run
    assert wait_for(lambda: any(m["Subject"] == "Akhir" for m in smtp.inbox.messages))
    assert [m["Subject"] for m in smtp.inbox.messages] == ["Jadi", "Akhir"]
    with app.app_context():
        assert len(get_session().scalars(select(OutboxMessage)).all()) == 2


def _redis_app(tmp_path, database_url):
    config = _test_config(
        tmp_path, database_url, RATELIMIT_STORAGE_URI=REDIS_URL, LOGIN_RATE_LIMIT="3 per minute"
    )
    app = create_app(config)
    app.test_client_class = Browser
    return app


def _client(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address  # limits are per address: one of its own
    return client


def test_login_limit_is_shared_between_app_processes(tmp_path, database_url, make_user):
    """Two app instances (as two gunicorn workers) count failures in the same Redis."""
    user = make_user()
    address = "127.{}.{}.{}".format(*secrets.token_bytes(3))
    first = _redis_app(tmp_path / "a", database_url)
    _bind_like(first)
    client = _client(first, address)
    for _ in range(3):
        assert client.login(user.email, "salah-sekali-123").status_code == 401
    second = _redis_app(tmp_path / "b", database_url)  # a fresh limiter storage object
    _bind_like(second)
    response = _client(second, address).login(user.email, DEFAULT_PASSWORD)
    assert response.status_code == 429


def _bind_like(app):
    """Share the test transaction of the current app, so the user made above is visible."""
    from flask import current_app

    connection = get_db(current_app)._bound
    get_db(app).bind_to(connection)

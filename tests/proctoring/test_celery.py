"""At scale: a real Celery worker process on the running Redis analyses a queued snapshot.
Collected only when UJISIM_TEST_REDIS_URL is set (tests/conftest.py)."""

from __future__ import annotations

import os
import secrets
import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import _test_config, add_user
from tests.core.test_redis import CELERY, wait_for
from tests.exam.conftest import make_items
from tests.support import REDIS_URL, migrate
from tests.webcam import jpeg_bytes
from ujisim.app import create_app
from ujisim.core.db import get_db, get_session
from ujisim.exam import attempts, policy
from ujisim.proctoring import checks, consent, observations, reference
from ujisim.proctoring.models import Observation, ProctorCase
from ujisim.question_bank import services


@pytest.fixture
def celery_app(tmp_path):
    """A committed SQLite database and private files shared with a worker on a fresh queue."""
    url = f"sqlite:///{tmp_path / 'proctor.db'}"
    queue = f"ujisim-test-{secrets.token_hex(4)}"
    config = _test_config(
        tmp_path, url, JOBS_BACKEND="celery", REDIS_URL=REDIS_URL, JOBS_QUEUE=queue
    )
    app = create_app(config)
    migrate(app)
    env = dict(
        os.environ,
        UJISIM_DATABASE_URL=url,
        UJISIM_REDIS_URL=REDIS_URL,
        UJISIM_JOBS_QUEUE=queue,
        UJISIM_INSTANCE_PATH=config["INSTANCE_PATH"],
        UJISIM_STORAGE_DIR=config["STORAGE_DIR"],
    )
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 (closed below)
    command = [CELERY, "-A", "ujisim.celery_app", "worker", "-Q", queue, "--pool", "solo"]
    worker = subprocess.Popen(
        [*command, "--loglevel", "INFO"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    yield app
    worker.terminate()
    worker.wait(timeout=30)
    log.close()
    get_db(app).dispose()


def test_a_celery_worker_analyses_a_queued_snapshot(
    celery_app, tmp_path, face_photos, impostor_frame
):
    with celery_app.app_context():
        session = get_session()
        services.import_contents(session, make_items())
        user = add_user(session, "celery@example.id", full_name="Calon",
                        nik="3174050507990003", date_of_birth=date(1999, 7, 5))  # fmt: skip
        consent.record_consent(session, user, locale="id", ip=None, user_agent=None)
        reference.set_reference_photo(session, user, face_photos["obama.jpg"].read_bytes())
        attempt = attempts.create_attempt(
            session, user, policy.check_eligibility(session, user, "A")
        )
        case = checks.ensure_case(session, attempt)
        attempts.advance(session, attempt, attempts.AttemptState.STARTED, user)
        observation = observations.record_snapshot(
            session, case, jpeg_bytes(impostor_frame), trigger="interval", owner=user
        )
        observation_id, case_id = observation.id, case.id
        pending, _age = observations.queue_stats(session)
        assert pending == 1  # what the examiners see until a worker takes it
        session.commit()  # the job goes to Redis now

    def analysed():
        with celery_app.app_context():
            row = get_session().get(Observation, observation_id)
            return row if row.status != "pending" else None

    assert wait_for(analysed, 180), (tmp_path / "worker.log").read_text()[-3000:]
    row = analysed()
    assert (row.status, row.finding, row.flagged) == ("done", "different_person", True)
    assert row.distance > row.tolerance == 0.6
    with celery_app.app_context():
        session = get_session()
        assert session.get(ProctorCase, case_id).risk == 4.0
        assert session.scalars(select(Observation)).one().analysed_at is not None

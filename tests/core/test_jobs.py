"""Jobs run only after the commit that deferred them, in each backend."""

import pytest
from sqlalchemy import select

from ujisim.core import jobs
from ujisim.core.mail import MailStatus, OutboxMessage, queue_mail

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL

SEEN: list = []


@jobs.task("test.remember")
def remember(value):
    SEEN.append(value)


@pytest.fixture(autouse=True)
def _clear():
    SEEN.clear()


def test_deferred_job_runs_after_commit_only(db):
    jobs.defer(db, "test.remember", value=1)
    assert SEEN == []
    db.commit()
    assert SEEN == [1]


def test_rollback_drops_deferred_jobs(db):
    jobs.defer(db, "test.remember", value=2)
    db.rollback()
    db.commit()
    assert SEEN == []


def test_a_savepoint_neither_sends_nor_drops_earlier_jobs(db):
    jobs.defer(db, "test.remember", value="before")
    with db.begin_nested():
        jobs.defer(db, "test.remember", value="kept")
    assert SEEN == []  # released savepoint: still waiting for the real commit
    nested = db.begin_nested()
    jobs.defer(db, "test.remember", value="dropped")
    nested.rollback()
    assert SEEN == []
    db.commit()
    assert SEEN == ["before", "kept"]


def test_unknown_job_is_refused(db):
    with pytest.raises(KeyError):
        jobs.defer(db, "test.nope")


@pytest.mark.fresh_app  # the runner hooks the app's requests
def test_thread_runner_works_off_the_request_thread(app, db):
    runner = jobs.ThreadRunner(app)
    app.extensions["ujisim.jobs"] = runner
    jobs.defer(db, "test.remember", value=3)
    db.commit()
    runner.join()
    assert SEEN == [3]
    assert runner._thread.name == "ujisim-jobs"


def test_mail_job_holds_messages_without_smtp(db):
    message = queue_mail(db, to="a@example.id", subject="s", body="b", kind="test")
    db.commit()
    db.refresh(message)
    assert message.status == MailStatus.HELD
    assert db.scalars(select(OutboxMessage)).all() == [message]

"""Races between requests on a committed database (SQLite, and PostgreSQL when configured):
a save against a submit, two administrators saving a blueprint, two first visits creating the
default blueprints, the same holiday added twice, candidates starting at the same moment.

On PostgreSQL the test forces the interleaving: it holds the first transaction open, runs the
second in a thread until that one waits for a row lock (seen in pg_stat_activity), then commits.
SQLite's writers queue on BEGIN IMMEDIATE, so there the first transaction commits first."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, select, text

from tests.conftest import BACKENDS, DEFAULT_PASSWORD, _test_config, add_user
from tests.exam.conftest import BLUEPRINT_FORM, make_items
from tests.support import Browser, committed_database, migrate
from ujisim.accounts.models import User
from ujisim.app import create_app
from ujisim.core import audit, clock
from ujisim.core.db import get_db, get_session
from ujisim.core.security import Role
from ujisim.exam import answers, attempts, grading, policy
from ujisim.exam.errors import AttemptClosed
from ujisim.exam.models import AnswerStep, Attempt, ExamBlueprint, Grade, Holiday, ItemExposure
from ujisim.question_bank.services import import_contents

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL

BORN = date(1995, 3, 1)


@pytest.fixture(params=BACKENDS)
def shared_app(request, tmp_path):
    """A committed database with a bank, an applicant and an administrator."""
    with committed_database(request.param, tmp_path) as url:
        app = create_app(_test_config(tmp_path, url, PROCTOR_REQUIRED=False))
        app.test_client_class = Browser
        migrate(app)
        with app.app_context():
            session = get_session()
            import_contents(session, make_items())
            add_user(session, "calon@example.id", Role.APPLICANT, date_of_birth=BORN)
            add_user(session, "admin@example.id", Role.ADMIN, date_of_birth=BORN)
            session.commit()
        yield app
        get_db(app).dispose()


def is_pg(app) -> bool:
    return get_db(app).dialect == "postgresql"


def wait_for_a_lock_waiter(app) -> None:
    """Until some backend of this database waits for a lock (the racing request)."""
    with get_db(app).engine.connect() as connection:
        for _poll in range(600):
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar()
            connection.rollback()
            if waiting:
                return
            time.sleep(0.05)
    raise AssertionError("the racing request never waited for the lock")


def race(app, hold, act):
    """``hold(session)`` writes in a transaction of its own; ``act()`` runs while it is open
    (PostgreSQL) and must wait for it; its result is returned."""
    session = get_db(app).session()
    with app.app_context():
        hold(session)
    if not is_pg(app):
        session.commit()
        return act()
    box: dict = {}

    def run():
        try:
            box["result"] = act()
        except Exception as exc:  # noqa: BLE001 (re-raised in the test's thread below)
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    try:
        wait_for_a_lock_waiter(app)
    finally:
        session.commit()
        session.close()
        thread.join()
    if "error" in box:
        raise AssertionError(f"the racing request failed: {box['error']!r}") from box["error"]
    return box["result"]


def logged_in(app, email: str) -> Browser:
    client = app.test_client()
    assert client.login(email, DEFAULT_PASSWORD).status_code == 302
    return client


def test_a_save_racing_a_submit_is_refused_not_lost(shared_app):
    with shared_app.app_context():
        session = get_session()
        user = session.scalars(select(User).where(User.email == "calon@example.id")).one()
        attempt = attempts.create_attempt(
            session, user, policy.check_eligibility(session, user, "A")
        )
        attempts.advance(session, attempt, attempts.AttemptState.STARTED, user)
        session.commit()
        attempt_id = attempt.id
        version = attempts.paper_versions(session, attempt)[0]
        key = next(i for i, o in enumerate(version.options) if o["key"])
        right = attempt.paper[0]["o"].index(key)
    loaded, go = threading.Event(), threading.Event()
    outcome: dict = {}

    def save():
        """The save request: it reads the attempt (still started), then records the answer."""
        with shared_app.app_context():
            session = get_session()
            attempt = session.get(Attempt, attempt_id)
            assert attempt.state in ("started", "graded")
            loaded.set()
            go.wait()
            try:
                saved = answers.record_answer(
                    session, attempt, position=0, choice=right, client_seq=1
                )
                session.commit()
                outcome["stored"] = saved.stored
            except AttemptClosed as exc:
                session.rollback()
                outcome["refused"] = exc.code

    thread = threading.Thread(target=save)
    with shared_app.app_context():
        submitter = get_db(shared_app).session()
        if is_pg(shared_app):
            thread.start()
            loaded.wait()
            grading.submit(submitter, submitter.get(Attempt, attempt_id))  # holds the row lock
            go.set()
            try:
                wait_for_a_lock_waiter(shared_app)
            finally:
                submitter.commit()
                thread.join()
        else:
            grading.submit(submitter, submitter.get(Attempt, attempt_id))
            submitter.commit()
            go.set()
            thread.start()
            thread.join()
        submitter.close()
    with shared_app.app_context():
        session = get_session()
        grade = session.scalars(select(Grade).where(Grade.attempt_id == attempt_id)).one()
        steps = session.scalar(select(func.count()).select_from(AnswerStep))
    # the save got no 200: it is not in the log and the grade (score 0) is complete
    assert outcome == {"refused": "attempt_closed"}
    assert (steps, grade.score) == (0, 0)


def test_two_admins_saving_a_blueprint_at_once(shared_app):
    client = logged_in(shared_app, "admin@example.id")
    assert client.get("/admin/exam/").status_code == 200  # version 1 of both classes

    def other_admin(session):
        session.add(ExamBlueprint(vehicle_class="C", version=2, time_limit_s=900,
                                  created_at=clock.now()))  # fmt: skip
        session.flush()

    response = race(
        shared_app, other_admin, lambda: client.submit("/admin/exam/blueprint/C", BLUEPRINT_FORM)
    )
    assert response.status_code == 409
    assert "flash-error" in response.get_data(as_text=True)
    with shared_app.app_context():
        rows = (
            get_session()
            .execute(
                select(ExamBlueprint.version, ExamBlueprint.time_limit_s)
                .where(ExamBlueprint.vehicle_class == "C")
                .order_by(ExamBlueprint.version)
            )
            .all()
        )
    assert rows == [(1, 1800), (2, 900)]  # the other admin's version; nothing of this form


def test_two_first_visits_create_the_default_blueprint_once(shared_app):
    client = logged_in(shared_app, "calon@example.id")

    def first_visit(session):
        policy.current_blueprint(session, "A")  # creates version 1, not committed yet

    response = race(shared_app, first_visit, lambda: client.get("/ujian/"))
    assert response.status_code == 200
    with shared_app.app_context():
        rows = (
            get_session()
            .execute(
                select(ExamBlueprint.vehicle_class, ExamBlueprint.version).order_by(
                    ExamBlueprint.vehicle_class
                )
            )
            .all()
        )
    assert rows == [("A", 1), ("C", 1), ("C1", 1), ("C2", 1)]


def test_the_same_holiday_added_twice_at_once(shared_app):
    client = logged_in(shared_app, "admin@example.id")

    def other_admin(session):
        session.add(Holiday(day=date(2026, 12, 25), name="Natal"))
        session.flush()

    response = race(
        shared_app,
        other_admin,
        lambda: client.submit("/admin/exam/holidays", {"h-day": "2026-12-25", "h-name": "Lagi"}),
    )
    assert response.status_code == 409
    assert "Tanggal ini sudah menjadi hari libur" in response.get_data(as_text=True)
    with shared_app.app_context():
        names = get_session().scalars(select(Holiday.name)).all()
    assert names == ["Natal"]


def test_candidates_starting_at_once_all_get_their_paper(shared_app):
    """Every start locks the audit head and the drawn items' exposure rows in one statement:
    starts running at the same moment wait for each other, none deadlocks or is lost, and the
    chain and the counts stay whole."""
    emails = [f"serentak{n}@example.id" for n in range(6)]
    with shared_app.app_context():
        session = get_session()
        for email in emails:
            add_user(session, email, Role.APPLICANT, date_of_birth=BORN)
        session.commit()
    clients = [logged_in(shared_app, email) for email in emails]
    forms = [
        {
            "csrf_token": c.csrf_token(),
            "vehicle_class": "A",
            "confirm_identity": "yes",
            "satpas": "Satpas Polda Metro Jaya",
        }  # fmt: skip
        for c in clients
    ]
    gate = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def start(n):
        gate.wait()
        results[n] = clients[n].post("/ujian/mulai", data=forms[n]).status_code

    threads = [threading.Thread(target=start, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [302] * len(clients)
    with shared_app.app_context():
        session = get_session()
        assert session.scalar(select(func.count()).select_from(Attempt)) == len(clients)
        assert session.scalar(select(func.sum(ItemExposure.count))) == 30 * len(clients)
        assert audit.verify(session).ok

"""Two workers send the day's reminders at the same moment on a committed database (issue 19,
point 2: "two runs or two workers never send twice"): every holder gets each reminder once per
channel. On PostgreSQL the two runs overlap and the second claim of a reminder waits for the
first and fails on the unique key; on SQLite they queue on the write lock. Same assertions."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import BACKENDS, _test_config, add_user
from tests.renewal.conftest import make_nik
from tests.support import committed_per_backend
from ujisim.app import create_app
from ujisim.core.db import get_session
from ujisim.core.mail import OutboxMessage
from ujisim.core.security import Role
from ujisim.renewal import registry, reminders
from ujisim.renewal.models import Reminder, SandboxMessage

DAY = date(2026, 11, 22)
HOLDERS = 12
WORKERS = 2


def fill(session) -> None:
    """HOLDERS holders with a phone, each with a SIM expiring in 30 days (the d30 reminder)."""
    for n in range(HOLDERS):
        born = date(1980 + n, 1, 15)
        nik = make_nik(born)
        add_user(
            session,
            f"pemegang{n}@example.id",
            Role.APPLICANT,
            nik=nik,
            date_of_birth=born,
            phone=f"08123400{n:04d}",
        )
        expires = DAY + timedelta(days=30)
        registry.add_licence(
            session,
            number=f"3174{n:08d}",
            licence_class="A" if n % 2 else "C",
            holder_nik=nik,
            holder_name=f"Pemegang {n}",
            date_of_birth=born,
            address="Jl. Mawar 1, Jakarta",
            issued_on=expires - timedelta(days=1826),
            expires_on=expires,
            satpas="Satpas Polda Metro Jaya",
        )


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    def make_app(folder, url):
        return create_app(_test_config(folder, url))

    with committed_per_backend(tmp_path_factory, "remind", make_app, fill) as get:
        yield get


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_workers_at_once_send_each_reminder_once(databases, backend):
    app = databases(backend).app
    barrier = threading.Barrier(WORKERS)
    reports, errors = [], []

    def worker() -> None:
        try:
            with app.app_context():
                session = get_session()
                barrier.wait(timeout=30)
                reports.append(reminders.send_reminders(session, DAY))
                session.commit()
        except Exception as exc:  # noqa: BLE001 (reported below, with the thread's traceback)
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    sent = {"email": 0, "sandbox": 0}
    for report in reports:
        for channel, count in report.sent.items():
            sent[channel] += count
    assert sent == {"email": HOLDERS, "sandbox": HOLDERS}
    with app.app_context():
        session = get_session()
        count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(Reminder) == 2 * HOLDERS
        assert count(SandboxMessage) == HOLDERS
        mails = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == "renewal_reminder")
        )
        assert mails == HOLDERS

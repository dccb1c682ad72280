"""Reliability against a real gunicorn (2 workers) on a committed SQLite database:
- kill -9 a worker while 200 candidates autosave: every save that got a 2xx is in the database;
- restart the whole server mid-exam: the candidate resumes with the right remaining time.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import BACKENDS, _test_config, add_user
from tests.exam.conftest import make_items
from tests.support import committed_database, free_port, migrate
from tests.support import gunicorn as support_gunicorn
from ujisim.app import create_app
from ujisim.core.db import get_db, get_session
from ujisim.exam.models import AnswerStep, Attempt, AttemptEvent, Grade
from ujisim.question_bank.services import import_contents

PASSWORD = "tahan-banting-2026"  # noqa: S105 (test users)
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def run(coroutine):
    """asyncio.run in a thread of its own (Playwright's sync API may hold this thread's loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def committed_app(tmp_path):
    """A migrated SQLite database with a bank and 200 candidates, committed for other processes."""
    url = f"sqlite:///{tmp_path / 'reliability.db'}"
    app = create_app(_test_config(tmp_path, url))
    migrate(app)
    with app.app_context():
        session = get_session()
        import_contents(session, make_items())
        add_candidates(session, 200)
        session.commit()
    yield app
    get_db(app).dispose()


def gunicorn(app, port):
    """The committed app's database under a real gunicorn (2 workers)."""
    env = {
        "UJISIM_INSTANCE_PATH": app.instance_path,
        "UJISIM_DATABASE_URL": app.config["DATABASE_URL"],
        "UJISIM_LOGIN_RATE_LIMIT": "100000 per minute",
        "UJISIM_PROCTOR_REQUIRED": "0",  # about saves and restarts, not webcam proctoring
    }
    return support_gunicorn(env, port=port, args=["--graceful-timeout", "2"])


def add_candidates(session, count: int) -> None:
    for n in range(count):
        add_user(session, f"c{n}@example.id", password=PASSWORD, full_name=f"Calon {n}",
                 date_of_birth=date(1990, 1, 1))  # fmt: skip


def csrf_of(page: str) -> str:
    # A page cut short by the killed worker has no token: an AssertionError, so the caller retries.
    match = CSRF.search(page)
    assert match, "page without a CSRF token"
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, n: int) -> str:
    token = csrf_of((await client.get("/login")).text)
    data = {"csrf_token": token, "email": f"c{n}@example.id", "password": PASSWORD}
    assert (await client.post("/login", data=data)).status_code == 302
    return csrf_of((await client.get("/ujian/")).text)


async def start_exam(client: httpx.AsyncClient, token: str) -> str:
    response = await client.post(
        "/ujian/mulai",
        data={
            "csrf_token": token,
            "vehicle_class": "A",
            "satpas": "Satpas Polda Metro Jaya",
            "confirm_identity": "yes",
        },
    )
    assert response.status_code == 302, response.text[:300]
    public_id = response.headers["location"].rsplit("/", 1)[-1]
    await client.post(f"/ujian/{public_id}/begin", data={"csrf_token": token})
    return public_id


def test_kill_9_a_worker_loses_no_acknowledged_save(committed_app):
    acknowledged: set[tuple[str, int]] = set()
    failures: list[str] = []

    async def candidate(base, n, gate):
        async with gate, httpx.AsyncClient(base_url=base, timeout=30) as client:
            for _attempt in range(20):
                try:
                    token = await sign_in(client, n)
                    public_id = await start_exam(client, token)
                    break
                except (httpx.HTTPError, AssertionError):
                    await asyncio.sleep(0.5)
            else:
                failures.append(f"candidate {n} never started")
                return
            for seq in range(1, 11):
                try:
                    response = await client.post(
                        f"/api/v1/exam/attempts/{public_id}/answers",
                        json={"position": seq - 1, "choice": seq % 4, "seq": seq},
                        headers={"X-CSRFToken": token},
                    )
                except httpx.HTTPError:
                    continue  # the worker died mid-request: this save was never acknowledged
                if 200 <= response.status_code < 300:
                    acknowledged.add((public_id, seq))

    async def killer(process):
        await asyncio.sleep(4)
        workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True)
        pid = int(workers.stdout.split()[0])
        os.kill(pid, signal.SIGKILL)
        return pid

    async def main(process, base):
        gate = asyncio.Semaphore(24)
        results = await asyncio.gather(
            killer(process), *(candidate(base, n, gate) for n in range(200))
        )
        return results[0]

    with gunicorn(committed_app, free_port()) as (process, base):
        killed = run(main(process, base))
        assert process.poll() is None  # the master is alive and replaced the worker
    assert killed
    assert failures == []
    with committed_app.app_context():
        session = get_session()
        stored = set(
            session.execute(
                select(Attempt.public_id, AnswerStep.client_seq).join(
                    AnswerStep, AnswerStep.attempt_id == Attempt.id
                )
            ).all()
        )
    assert len(acknowledged) > 1000
    assert acknowledged - stored == set()


def test_server_restart_mid_exam_keeps_answers_and_time(committed_app):
    port = free_port()

    async def before(base):
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            token = await sign_in(client, 1)
            public_id = await start_exam(client, token)
            for seq in (1, 2):
                response = await client.post(
                    f"/api/v1/exam/attempts/{public_id}/answers",
                    json={"position": seq, "choice": 1, "seq": seq},
                    headers={"X-CSRFToken": token},
                )
                assert response.status_code == 200
            return public_id, dict(client.cookies)

    async def after(base, public_id, cookies):
        async with httpx.AsyncClient(base_url=base, timeout=30, cookies=cookies) as client:
            response = await client.get(f"/api/v1/exam/attempts/{public_id}")
            assert response.status_code == 200
            return response.json()

    with gunicorn(committed_app, port) as (_process, base):
        public_id, cookies = run(before(base))
        started = time.monotonic()
    time.sleep(3)
    with gunicorn(committed_app, port) as (_process, base):
        paper = run(after(base, public_id, cookies))
        elapsed = time.monotonic() - started
    assert paper["answers"] == {"1": 1, "2": 1}
    assert paper["last_seq"] == 2
    # the clock ran on during the restart: the remaining time is 30 min minus what passed
    assert 1800 - elapsed - 5 <= paper["remaining_s"] <= 1800 - elapsed + 1


@pytest.fixture(params=BACKENDS)
def one_candidate_app(request, tmp_path):
    """A committed database (SQLite, and PostgreSQL when configured) with a bank and one user."""
    with committed_database(request.param, tmp_path) as url:
        app = create_app(_test_config(tmp_path, url))
        migrate(app)
        with app.app_context():
            session = get_session()
            import_contents(session, make_items())
            add_candidates(session, 2)  # c0 and c1
            session.commit()
        yield app
        get_db(app).dispose()


def test_concurrent_submits_give_exactly_one_grade(one_candidate_app):
    async def scenario(base):
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            token = await sign_in(client, 1)
            public_id = await start_exam(client, token)
            url = f"/api/v1/exam/attempts/{public_id}/submit"
            responses = await asyncio.gather(
                *(client.post(url, headers={"X-CSRFToken": token}) for _ in range(8))
            )
            return public_id, [r.status_code for r in responses]

    with gunicorn(one_candidate_app, free_port()) as (_process, base):
        public_id, statuses = run(scenario(base))
    assert statuses == [200] * 8
    with one_candidate_app.app_context():
        session = get_session()
        attempt = session.scalars(select(Attempt).where(Attempt.public_id == public_id)).one()
        grades = session.scalars(select(Grade).where(Grade.attempt_id == attempt.id)).all()
        events = session.scalars(
            select(AttemptEvent.to_state).where(AttemptEvent.attempt_id == attempt.id)
        ).all()
    assert len(grades) == 1
    assert events.count("graded") == 1

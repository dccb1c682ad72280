"""Reliability against a real gunicorn (2 workers) on a committed database:
- kill -9 a worker while candidates autosave: every save that got a 2xx is in the database;
- restart the whole server mid-exam: the candidate resumes with the right remaining time;
- eight submits of one attempt at once give exactly one grade (SQLite, and PostgreSQL).

The committed databases (migrated, a bank, candidates) are built once per module and backend;
each test signs in candidates of its own (``fresh_candidates``).
"""

from __future__ import annotations

import asyncio
import itertools
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
from tests.support import committed_per_backend, free_port
from tests.support import gunicorn as support_gunicorn
from ujisim.app import create_app
from ujisim.core.db import get_session
from ujisim.exam.models import AnswerStep, Attempt, AttemptEvent, Grade
from ujisim.question_bank.services import import_contents

PASSWORD = "tahan-banting-2026"  # noqa: S105 (test users)
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
#: candidates in each committed database: enough for every test of the module
CANDIDATES = 40
#: the kill -9 test: candidates saving at once, saves each, and how many are acknowledged
#: before the kill (the kill lands while every candidate has a save in flight)
SAVERS = 20
SAVES = 15
KILL_AFTER = 60


def run(coroutine):
    """asyncio.run in a thread of its own (Playwright's sync API may hold this thread's loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def committed_apps(tmp_path_factory):
    """``committed_apps(backend)``: an app on a migrated, committed database (SQLite, or a fresh
    PostgreSQL database) with a bank and CANDIDATES candidates c0, c1, ..., built on first use
    and kept for the module."""

    def fill(session):
        import_contents(session, make_items())
        add_candidates(session, CANDIDATES)
        return itertools.count()  # the next candidate no test has used

    def make_app(folder, url):
        return create_app(_test_config(folder, url))

    with committed_per_backend(tmp_path_factory, "reliability", make_app, fill) as get:
        yield lambda backend: (get(backend).app, get(backend).filled)


@pytest.fixture
def committed_app(committed_apps):
    """The SQLite one (what ``make run`` serves)."""
    return committed_apps("sqlite")[0]


def fresh_candidates(committed_apps, backend: str, count: int) -> list[int]:
    """The numbers of ``count`` candidates no other test of the module has used."""
    numbers = [next(committed_apps(backend)[1]) for _ in range(count)]
    assert numbers[-1] < CANDIDATES, "add candidates (CANDIDATES)"
    return numbers


def gunicorn(app, port):
    """The committed app's database under a real gunicorn (2 workers)."""
    env = {
        "UJISIM_INSTANCE_PATH": app.instance_path,
        "UJISIM_DATABASE_URL": app.config["DATABASE_URL"],
        "UJISIM_LOGIN_RATE_LIMIT": "100000 per minute",
        "UJISIM_PROCTOR_REQUIRED": "0",  # about saves and restarts, not webcam proctoring
        "UJISIM_EXAM_CLIPS": "0",  # papers of questions: the clip part has its own tests
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


def test_kill_9_a_worker_loses_no_acknowledged_save(committed_apps, committed_app):
    """SAVERS candidates save SAVES answers each, one after another, all at once; once every
    one of them has started and KILL_AFTER saves are acknowledged, a worker is killed with
    SIGKILL while every candidate has a save in flight. Every acknowledged save is stored."""
    numbers = fresh_candidates(committed_apps, "sqlite", SAVERS)
    acknowledged: set[tuple[str, int]] = set()
    failures: list[str] = []
    started: list[int] = []
    in_flight = 0
    at_kill: dict[str, int] = {}

    async def candidate(base, n, load):
        nonlocal in_flight
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            for _attempt in range(20):
                try:
                    token = await sign_in(client, n)
                    public_id = await start_exam(client, token)
                    break
                except (httpx.HTTPError, AssertionError):
                    continue  # a page cut short: the other worker answers the next try
            else:
                failures.append(f"candidate {n} never started")
                load.set()  # no deadlock: the killer's wait must end for the test to fail
                return
            started.append(n)
            for seq in range(1, SAVES + 1):
                in_flight += 1
                try:
                    response = await client.post(
                        f"/api/v1/exam/attempts/{public_id}/answers",
                        json={"position": (seq - 1) % 30, "choice": seq % 4, "seq": seq},
                        headers={"X-CSRFToken": token},
                    )
                except httpx.HTTPError:
                    continue  # the worker died mid-request: this save was never acknowledged
                finally:
                    in_flight -= 1
                if 200 <= response.status_code < 300:
                    acknowledged.add((public_id, seq))
                    if len(started) == SAVERS and len(acknowledged) >= KILL_AFTER:
                        load.set()

    async def killer(process, load):
        await load.wait()  # under load: every candidate saving, KILL_AFTER saves in
        workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True)
        pid = int(workers.stdout.split()[0])
        at_kill.update(acknowledged=len(acknowledged), in_flight=in_flight)
        os.kill(pid, signal.SIGKILL)
        return pid

    async def main(process, base):
        load = asyncio.Event()
        results = await asyncio.gather(
            killer(process, load), *(candidate(base, n, load) for n in numbers)
        )
        return results[0]

    with gunicorn(committed_app, free_port()) as (process, base):
        killed = run(main(process, base))
        assert process.poll() is None  # the master is alive and replaced the worker
    assert killed
    assert failures == []
    # the kill came during the load: saves were in flight, most were still to come
    assert at_kill["in_flight"] > 2, at_kill
    assert KILL_AFTER <= at_kill["acknowledged"] < SAVERS * SAVES // 2, at_kill
    with committed_app.app_context():
        session = get_session()
        stored = set(
            session.execute(
                select(Attempt.public_id, AnswerStep.client_seq).join(
                    AnswerStep, AnswerStep.attempt_id == Attempt.id
                )
            ).all()
        )
    # the server kept answering after the kill: nearly every save was acknowledged
    assert len(acknowledged) > SAVERS * SAVES * 0.9, (len(acknowledged), at_kill)
    assert acknowledged - stored == set()


def test_server_restart_mid_exam_keeps_answers_and_time(committed_apps, committed_app):
    """The exam clock runs on while the server is down: the remaining time fell by at least the
    time between the last answer before the stop and the first request after the restart, and
    by at most the time from sending the one to hearing the other."""
    (n,) = fresh_candidates(committed_apps, "sqlite", 1)
    port = free_port()

    async def before(base):
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            token = await sign_in(client, n)
            public_id = await start_exam(client, token)
            for seq in (1, 2):
                sent = time.monotonic()
                response = await client.post(
                    f"/api/v1/exam/attempts/{public_id}/answers",
                    json={"position": seq, "choice": 1, "seq": seq},
                    headers={"X-CSRFToken": token},
                )
                heard = time.monotonic()
                assert response.status_code == 200
            return public_id, dict(client.cookies), response.json()["remaining_s"], sent, heard

    async def after(base, public_id, cookies):
        async with httpx.AsyncClient(base_url=base, timeout=30, cookies=cookies) as client:
            sent = time.monotonic()
            response = await client.get(f"/api/v1/exam/attempts/{public_id}")
            heard = time.monotonic()
            assert response.status_code == 200
            return response.json(), sent, heard

    with gunicorn(committed_app, port) as (_process, base):
        public_id, cookies, remaining, last_sent, last_heard = run(before(base))
    with gunicorn(committed_app, port) as (_process, base):
        paper, first_sent, first_heard = run(after(base, public_id, cookies))
    assert paper["answers"] == {"1": 1, "2": 1}
    assert paper["last_seq"] == 2
    # remaining_s is rounded to the millisecond; the server's clock is the wall clock
    fell = remaining - paper["remaining_s"]
    down = first_sent - last_heard  # the stop and the start of a gunicorn: a second or more
    assert down - 0.01 <= fell <= first_heard - last_sent + 0.01, (fell, down)
    assert paper["remaining_s"] < 1800 - down


@pytest.mark.parametrize("backend", BACKENDS)
def test_concurrent_submits_give_exactly_one_grade(committed_apps, backend):
    app, _numbers = committed_apps(backend)
    (n,) = fresh_candidates(committed_apps, backend, 1)

    async def scenario(base):
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            token = await sign_in(client, n)
            public_id = await start_exam(client, token)
            url = f"/api/v1/exam/attempts/{public_id}/submit"
            responses = await asyncio.gather(
                *(client.post(url, headers={"X-CSRFToken": token}) for _ in range(8))
            )
            return public_id, [r.status_code for r in responses]

    with gunicorn(app, free_port()) as (_process, base):
        public_id, statuses = run(scenario(base))
    assert statuses == [200] * 8
    with app.app_context():
        session = get_session()
        attempt = session.scalars(select(Attempt).where(Attempt.public_id == public_id)).one()
        grades = session.scalars(select(Grade).where(Grade.attempt_id == attempt.id)).all()
        events = session.scalars(
            select(AttemptEvent.to_state).where(AttemptEvent.attempt_id == attempt.id)
        ).all()
    assert len(grades) == 1
    assert events.count("graded") == 1

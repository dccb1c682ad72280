"""Eight print stations pull 400 jobs at once from a real gunicorn (4 workers) on a committed
database: every job is claimed once and printed once, and no station is refused a job it holds.

On PostgreSQL the claims run in parallel (FOR UPDATE SKIP LOCKED); on SQLite they queue on the
write lock (BEGIN IMMEDIATE). Same code, same assertions."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from tests.certificates.print_support import plain_card
from tests.conftest import BACKENDS, _test_config
from tests.support import (
    committed_copy,
    committed_per_backend,
    gunicorn,
)
from ujisim.app import create_app
from ujisim.certificates import print_documents, stations
from ujisim.certificates.models import JobState, PrintJob
from ujisim.core.audit import AuditRecord, verify
from ujisim.core.db import get_db, get_session

STATIONS = 8
#: 40 claims of BATCH: five a station on average, all eight claiming from the first moment
JOBS = 400
BATCH = 10


@pytest.fixture(scope="module")
def full_queues(tmp_path_factory):
    """``full_queues(backend)``: (folder, database URL, station tokens) of a migrated, committed
    database with JOBS ready card jobs (photos in the folder's storage) and STATIONS stations,
    built once per module and backend; each test works on a copy of it (``queue``)."""

    def fill(session):
        tokens = [
            stations.create_station(session, f"Stasiun {n}", None)[1] for n in range(STATIONS)
        ]
        for n in range(JOBS):
            print_documents.enqueue_card(session, plain_card(n))
        return tokens

    def make_app(folder, url):
        return create_app(_test_config(folder, url))

    with committed_per_backend(tmp_path_factory, "queue", make_app, fill) as get:
        yield lambda backend: (get(backend).folder, get(backend).url, get(backend).filled)


@pytest.fixture(params=BACKENDS)
def queue(request, tmp_path, full_queues):
    """A database of this test's own with JOBS ready card jobs and STATIONS station tokens (a
    copy of the module's full queue, with its instance folder and stored photos)."""
    source, url, tokens = full_queues(request.param)
    folder = tmp_path / "queue"
    with committed_copy(source, url, folder) as copy:
        app = create_app(_test_config(folder, copy))
        yield app, tokens
        get_db(app).dispose()


def run_station(base: str, token: str) -> dict:
    """Claim BATCH at a time until the queue is empty; download the first job of each batch;
    confirm every job. Returns what the station saw."""
    seen = {"claimed": [], "printed": [], "statuses": Counter(), "pdfs": 0, "batches": 0}
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
        while True:
            response = http.post("/api/v1/print/jobs/claim", json={"limit": BATCH})
            seen["statuses"][response.status_code] += 1
            jobs = response.json()["jobs"] if response.status_code == 200 else []
            if not jobs:
                break
            seen["batches"] += 1
            seen["claimed"] += [job["id"] for job in jobs]
            pdf = http.get(jobs[0]["document_url"])
            seen["statuses"][pdf.status_code] += 1
            seen["pdfs"] += pdf.content.startswith(b"%PDF-")
            for job in jobs:
                done = http.post(f"/api/v1/print/jobs/{job['id']}/printed")
                seen["statuses"][done.status_code] += 1
                if done.status_code == 200 and done.json()["state"] == "printed":
                    seen["printed"].append(job["id"])
    return seen


def test_eight_stations_print_every_job_exactly_once(queue):
    app, tokens = queue
    env = {
        "UJISIM_INSTANCE_PATH": app.instance_path,
        "UJISIM_DATABASE_URL": app.config["DATABASE_URL"],
        "UJISIM_STORAGE_DIR": app.config["STORAGE_DIR"],
        "UJISIM_PRINT_LEASE_SECONDS": "3600",
    }
    with gunicorn(env, workers=4) as (_process, base), ThreadPoolExecutor(STATIONS) as pool:
        results = list(pool.map(lambda token: run_station(base, token), tokens))

    claimed = [job for seen in results for job in seen["claimed"]]
    printed = [job for seen in results for job in seen["printed"]]
    statuses = sum((seen["statuses"] for seen in results), Counter())
    assert set(statuses) == {200}, statuses  # no 409, no 5xx, no lock timeouts
    assert len(claimed) == len(set(claimed)) == JOBS  # no job claimed by two stations
    assert sorted(printed) == sorted(claimed)
    assert sum(seen["pdfs"] for seen in results) == sum(seen["batches"] for seen in results)
    # every station got work: the claims really ran side by side
    per_station = [len(seen["printed"]) for seen in results]
    assert all(count > 0 for count in per_station), per_station

    with app.app_context():
        session = get_session()
        rows = session.execute(
            select(PrintJob.state, PrintJob.claims, PrintJob.prints, func.count()).group_by(
                PrintJob.state, PrintJob.claims, PrintJob.prints
            )
        ).all()
        assert rows == [(JobState.PRINTED, 1, 1, JOBS)]
        actions = dict(
            session.execute(
                select(AuditRecord.action, func.count()).group_by(AuditRecord.action)
            ).all()
        )
        assert (actions["print.claimed"], actions["print.printed"]) == (JOBS, JOBS)
        assert "print.released" not in actions
        assert verify(session).ok  # the audit chain stayed intact under concurrent writers
    print(f"\nstations: {per_station}; claims: {len(claimed)}; statuses: {dict(statuses)}")


def test_one_claim_sent_at_once_from_many_connections_claims_once(queue):
    """A station that resends its claim (same Idempotency-Key) on several connections at the
    same moment gets the same jobs on every answer; nothing more is claimed."""
    app, tokens = queue
    env = {
        "UJISIM_INSTANCE_PATH": app.instance_path,
        "UJISIM_DATABASE_URL": app.config["DATABASE_URL"],
        "UJISIM_STORAGE_DIR": app.config["STORAGE_DIR"],
    }
    headers = {"Authorization": f"Bearer {tokens[0]}", "Idempotency-Key": "resent-claim-1"}
    ready = threading.Barrier(8)

    def send(base):
        with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
            assert http.get("/api/v1/print/station").status_code == 200  # connected, warm
            ready.wait()  # then all eight at the same moment
            return http.post("/api/v1/print/jobs/claim", json={"limit": BATCH})

    with gunicorn(env, workers=4) as (_process, base), ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _n: send(base), range(8)))

    assert [a.status_code for a in answers] == [200] * 8
    claimed = [[job["id"] for job in a.json()["jobs"]] for a in answers]
    assert all(ids == claimed[0] for ids in claimed), claimed
    assert len(claimed[0]) == BATCH
    with app.app_context():
        session = get_session()
        states = dict(
            session.execute(select(PrintJob.state, func.count()).group_by(PrintJob.state)).all()
        )
        assert states == {JobState.CLAIMED: BATCH, JobState.READY: JOBS - BATCH}
        assert verify(session).ok

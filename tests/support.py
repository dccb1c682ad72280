"""Test helpers that are not fixtures: databases, a browser-like client, a frozen clock."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from ujisim.core.db import get_db, get_session, normalise_url

PG_URL = os.environ.get("UJISIM_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("UJISIM_TEST_REDIS_URL")
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
ROOT = Path(__file__).resolve().parents[1]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], *, port: int | None = None, workers: int = 2, args=()):
    """The app under gunicorn with the given UJISIM_* settings; yields (process, base URL)
    once /healthz answers. Used by the reliability tests and the benchmarks."""
    full_env = {**os.environ, "UJISIM_JOBS": "eager", **env}
    if "UJISIM_REDIS_URL" not in env:
        full_env.pop("UJISIM_REDIS_URL", None)
    port = port or free_port()
    command = [GUNICORN, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", *args,
               "ujisim.app:create_app()"]  # fmt: skip
    process = subprocess.Popen(
        command, env=full_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process)
        yield process, base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_healthy(base: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            # our own http://127.0.0.1 URL
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not become healthy at {base}")


@contextmanager
def temporary_pg_database(base_url: str, *, template: str | None = None) -> Iterator[str]:
    """A fresh PostgreSQL database for this test run (a copy of the database ``template``
    names, which no connection may use meanwhile), dropped afterwards."""
    url = make_url(normalise_url(base_url))
    name = f"ujisim_test_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def committed_database(backend: str, directory) -> Iterator[str]:
    """The URL of a database other processes and threads can see (tests commit to it):
    ``backend`` "sqlite" (a file in ``directory``) or "postgresql" (a fresh database on
    ``PG_URL``, dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'committed.db'}"
        return
    with temporary_pg_database(PG_URL) as url:
        yield url


@dataclass(frozen=True)
class Committed:
    """A committed database built by ``committed_per_backend``: its app, folder and URL, and
    what its ``fill`` returned."""

    app: Any
    folder: Path
    url: str
    filled: Any


@contextmanager
def committed_per_backend(tmp_path_factory, prefix: str, make_app, fill):
    """``get(backend)``: the ``Committed`` database of ``backend`` ("sqlite" or "postgresql"):
    ``make_app(folder, url)`` on a ``committed_database`` in a folder of its own, migrated and
    filled by ``fill(session)`` (committed), built on the first call per backend and kept until
    the context ends (a module fixture's life). Its pool is closed once filled, so PostgreSQL
    can copy it as a template (``committed_copy``); the app opens new connections when used."""
    built: dict[str, Committed] = {}
    with ExitStack() as stack:

        def get(backend: str) -> Committed:
            if backend not in built:
                folder = tmp_path_factory.mktemp(f"{prefix}-{backend}")
                url = stack.enter_context(committed_database(backend, folder))
                app = make_app(folder, url)
                migrate(app)
                with app.app_context():
                    session = get_session()
                    filled = fill(session)
                    session.commit()
                get_db(app).dispose()
                stack.callback(get_db(app).dispose)
                built[backend] = Committed(app, folder, url, filled)
            return built[backend]

        yield get


@contextmanager
def committed_copy(source, url: str, folder) -> Iterator[str]:
    """A copy of a database made by ``committed_database(backend, source)`` (at ``url``, its
    connections closed) in ``folder``: the folder copied with its SQLite file and stored files,
    and for PostgreSQL a database made from it as a template, dropped afterwards. Building a
    database once per module and copying it per test saves its migration (about 2 s)."""
    shutil.copytree(source, folder)
    if url.startswith("sqlite"):
        yield f"sqlite:///{folder / 'committed.db'}"
        return
    with temporary_pg_database(url, template=make_url(url).database) as copy:
        yield copy


def migrate(app) -> None:
    from alembic import command

    from ujisim.core.db import run_alembic

    with app.app_context():
        run_alembic(command.upgrade, "head")


def limiter_state() -> tuple:
    """What ``limiter.init_app`` left on the one process-wide Flask-Limiter object (it keeps
    the last app's storage and switch, not one per app)."""
    from ujisim.core.security import limiter

    return limiter.enabled, limiter._storage, limiter._limiter


def restore_limiter(state: tuple) -> None:
    """Put back an app's limiter state (``limiter_state``) with its in-memory counters emptied,
    as a newly built app has them."""
    from limits.storage import MemoryStorage

    from ujisim.core.security import limiter

    limiter.enabled, limiter._storage, limiter._limiter = state
    if isinstance(limiter._storage, MemoryStorage):
        limiter._storage.reset()


class FrozenClock:
    """An injectable clock that only moves when told to."""

    def __init__(self, start: datetime | None = None):
        self.current = start or datetime(2026, 11, 22, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta) -> None:
        self.current += timedelta(**delta)


class Browser(FlaskClient):
    """A test client that sends the CSRF token with form posts, as a browser would.

    Each request runs in an app context of its own (fresh ``g``, its own session, teardown after
    it), as in production, even though the test body holds an app context open.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        page = self.get("/").get_data(as_text=True)
        return CSRF_RE.search(page).group(1)

    def submit(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)

    def login(self, email: str, password: str, **extra):
        return self.submit("/login", {"email": email, "password": password, **extra})

    def logout(self):
        return self.submit("/logout")


def audit_records(session, action: str, actor) -> list:
    """The audit records of ``action`` by ``actor``, oldest first (what another connection
    committed included)."""
    from sqlalchemy import select

    from ujisim.core.audit import AuditRecord

    session.expire_all()
    return list(
        session.scalars(
            select(AuditRecord)
            .where(AuditRecord.action == action, AuditRecord.actor_id == actor.id)
            .order_by(AuditRecord.seq)
        )
    )

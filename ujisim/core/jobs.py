"""Background jobs: in-process worker thread by default, Celery on Redis at scale.

A job is a function registered with ``@task("name")`` that takes plain values (ids, never ORM
objects), runs inside an app context and owns its commit. Services call ``defer(session, ...)``;
the job is dispatched only after that session commits, and dropped if it rolls back.

Backends (``UJISIM_JOBS``):
- ``thread`` (default): one daemon worker thread per process, started on first use;
- ``celery`` (default when ``UJISIM_REDIS_URL`` is set): workers run
  ``celery -A ujisim.celery_app worker -Q ujisim``;
- ``eager``: right after commit in the caller's thread (tests).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

REGISTRY: dict[str, Callable[..., object]] = {}
#: job name -> period in seconds (the thread runner's scheduler, or Celery beat)
PERIODIC: dict[str, int] = {}
PENDING_KEY = "ujisim.pending_jobs"


def task(name: str):
    """Register ``fn(**kwargs)`` as the job called ``name``."""

    def decorator(fn):
        REGISTRY[name] = fn
        return fn

    return decorator


def every(seconds: int, name: str) -> None:
    """Run job ``name`` (no arguments) every ``seconds``."""
    if name not in REGISTRY:
        raise KeyError(f"unknown job {name!r}")
    PERIODIC[name] = seconds


def defer(session: Session, name: str, **kwargs) -> None:
    """Dispatch job ``name`` once ``session`` commits (never before, never after a rollback)."""
    if name not in REGISTRY:
        raise KeyError(f"unknown job {name!r}")
    if not session.in_transaction():
        session.begin()  # so that a rollback before any query still drops the job
    session.info.setdefault(PENDING_KEY, []).append((name, kwargs))


# SQLAlchemy fires after_commit / after_rollback for savepoints (begin_nested) too. Jobs wait for
# the outermost commit; a rolled-back savepoint drops only the jobs deferred inside it.
MARKS_KEY = "ujisim.jobs.savepoint_marks"


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction) -> None:
    if transaction.nested:
        marks = session.info.setdefault(MARKS_KEY, {})
        marks[id(transaction)] = len(session.info.get(PENDING_KEY, ()))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        session.info.get(MARKS_KEY, {}).pop(id(session.get_nested_transaction()), None)
        return
    session.info.pop(MARKS_KEY, None)
    pending = session.info.pop(PENDING_KEY, None)
    if pending:
        runner = current_app.extensions["ujisim.jobs"]
        for name, kwargs in pending:
            runner.submit(name, kwargs)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        mark = session.info.get(MARKS_KEY, {}).pop(id(session.get_nested_transaction()), None)
        if mark is not None and PENDING_KEY in session.info:
            del session.info[PENDING_KEY][mark:]
        return
    session.info.pop(MARKS_KEY, None)
    session.info.pop(PENDING_KEY, None)


def run_job(app: Flask, name: str, kwargs: dict) -> object:
    """Run one job in a fresh app context with its own session."""
    with app.app_context():
        return REGISTRY[name](**kwargs)


class EagerRunner:
    def __init__(self, app: Flask):
        self.app = app

    def submit(self, name: str, kwargs: dict) -> None:
        run_job(self.app, name, kwargs)


class ThreadRunner:
    """One daemon thread per process working through an in-memory queue, and a scheduler thread
    for periodic jobs (started with the first request, so nothing runs at import or start-up).
    With several app processes each runs the periodic jobs; they are written to be idempotent."""

    def __init__(self, app: Flask):
        self.app = app
        self.queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._scheduler: threading.Thread | None = None
        self._lock = threading.Lock()
        app.before_request(self.start_scheduler)

    def start_scheduler(self) -> None:
        if not PERIODIC or (self._scheduler is not None and self._scheduler.is_alive()):
            return
        with self._lock:
            if self._scheduler is None or not self._scheduler.is_alive():
                self._scheduler = threading.Thread(
                    target=self._schedule, name="ujisim-scheduler", daemon=True
                )
                self._scheduler.start()

    def _schedule(self) -> None:
        due = {name: time.monotonic() + period for name, period in PERIODIC.items()}
        while True:
            now = time.monotonic()
            for name, at in due.items():
                if now >= at:
                    self.submit(name, {})
                    due[name] = now + PERIODIC[name]
            time.sleep(max(0.5, min(due.values()) - now))

    def submit(self, name: str, kwargs: dict) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="ujisim-jobs", daemon=True)
                self._thread.start()
        self.queue.put((name, kwargs))

    def _work(self) -> None:
        while True:
            name, kwargs = self.queue.get()
            try:
                run_job(self.app, name, kwargs)
            except Exception:
                log.exception("job %s failed", name)
            finally:
                self.queue.task_done()

    def join(self) -> None:
        """Wait until every submitted job has run (tests, shutdown)."""
        self.queue.join()


class CeleryRunner:
    def __init__(self, app: Flask):
        from celery import Celery

        self.app = app
        self.celery = Celery("ujisim", broker=app.config["REDIS_URL"], backend=None)
        self.celery.conf.update(
            task_ignore_result=True,
            broker_connection_retry_on_startup=True,
            task_default_queue=app.config["JOBS_QUEUE"],
            task_acks_late=True,  # a job whose worker dies is delivered again
            # `celery -A ujisim.celery_app beat` sends the periodic jobs
            beat_schedule={
                name: {"task": name, "schedule": float(period)} for name, period in PERIODIC.items()
            },
        )
        for name in REGISTRY:
            self._register(name)

    def _register(self, name: str) -> None:
        flask_app = self.app

        @self.celery.task(name=name)
        def _run(**kwargs):
            return run_job(flask_app, name, kwargs)

    def submit(self, name: str, kwargs: dict) -> None:
        self.celery.send_task(name, kwargs=kwargs)


BACKENDS = {"eager": EagerRunner, "thread": ThreadRunner, "celery": CeleryRunner}


def init_app(app: Flask) -> None:
    """Call after every domain has registered its tasks."""
    backend = app.config["JOBS_BACKEND"]
    if backend not in BACKENDS:
        raise ValueError(f"UJISIM_JOBS must be one of {sorted(BACKENDS)}, not {backend!r}")
    app.extensions["ujisim.jobs"] = BACKENDS[backend](app)

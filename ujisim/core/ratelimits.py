"""Rate-limit counters in the app's own database, shared by every worker and app server.

Flask-Limiter keeps its counters in a ``limits`` storage. In memory (``memory://``) each gunicorn
worker counts alone, so ``make run``'s two workers let twice the configured login failures
through. Without Redis the counters live here instead, in one small table of the app's database
(``ujisim-db://``): one row per key with the count of its current fixed window and the window's
end. However many processes serve the app, they count in the same row.

A hit is one statement, ``INSERT ... ON CONFLICT (key) DO UPDATE ... RETURNING count``, committed
at once on a connection of its own: atomic between workers (SQLite's write lock, PostgreSQL's row
lock), and never part of the request's unit of work, so a request that rolls back still counts.
Time comes from ``core.clock`` (tests move it).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import g, has_app_context
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import Storage
from sqlalchemy import String, case, delete, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from ujisim.core import clock
from ujisim.core.db import UPSERT_INSERTS, Base, Database, get_db

#: the storage URI Flask-Limiter is given when there is no Redis (core/security.py)
STORAGE_URI = "ujisim-db://"
KEY_LENGTH = 255

#: the app's limiter (``security.init_app`` sets it up; the error pages read its current limit)
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
#: how often (s) each process deletes windows that have ended (a key not hit again keeps its row)
PURGE_EVERY = 600


class RateLimitCounter(Base):
    """The current fixed window of one rate limit (Flask-Limiter's key: limit, scope, client)."""

    __tablename__ = "ratelimit_counter"

    #: Flask-Limiter's key; a longer one is replaced by its SHA-256
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    #: hits in the window
    count: Mapped[int]
    #: end of the window: the first hit after it starts a new one
    expires_at: Mapped[datetime] = mapped_column(index=True)


COUNTER = RateLimitCounter.__table__


def _fit(key: str) -> str:
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _end_request_transaction(database: Database) -> None:
    """SQLite has one writer at a time, and a write request's session takes that lock with its
    first statement (``BEGIN IMMEDIATE``, core/db.py), for instance when a limit's key function
    loads the current user. A count written on another connection would then wait for this
    very request until the busy timeout. Flask-Limiter counts before the view runs or after it
    has returned, when that session holds nothing to keep (the view has not written yet, or its
    boundary has committed and teardown rolls back the rest), so its transaction ends first."""
    if database.dialect != "sqlite" or not has_app_context():
        return
    session = g.get("db_session")
    if session is None or not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a rate limit was counted while the request had unsaved changes")
    session.rollback()


class DatabaseStorage(Storage):
    """A ``limits`` storage on the ``ratelimit_counter`` table (fixed-window strategy).

    The database is the one of the app handling the request (Flask-Limiter's one ``limiter``
    may serve several apps in a process, as in the tests), reached through its engine: a
    connection of its own, outside the request's session.
    """

    STORAGE_SCHEME = ["ujisim-db"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._purged_at: datetime | None = None

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def _read(self, statement):
        with get_db().engine.connect() as connection:
            return connection.execute(statement).first()

    def _write(self, work):
        """Run ``work(connection)`` in a transaction of its own and commit it."""
        database = get_db()
        _end_request_transaction(database)
        with database.engine.connect() as connection:
            # take SQLite's write lock at BEGIN, so that the upsert queues instead of failing
            connection.execution_options(sqlite_begin="IMMEDIATE")
            with connection.begin():
                return work(connection)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` hits to ``key``'s window (a new window of ``expiry`` seconds if there
        is none or it has ended); the count after the hit."""
        now = clock.now()

        def work(connection: Connection) -> int:
            insert = UPSERT_INSERTS[connection.dialect.name](COUNTER).values(
                key=_fit(key), count=amount, expires_at=now + timedelta(seconds=expiry)
            )
            ended = COUNTER.c.expires_at <= now
            statement = insert.on_conflict_do_update(
                index_elements=[COUNTER.c.key],
                set_={
                    "count": case(
                        (ended, insert.excluded.count),
                        else_=COUNTER.c.count + insert.excluded.count,
                    ),
                    "expires_at": case(
                        (ended, insert.excluded.expires_at), else_=COUNTER.c.expires_at
                    ),
                },
            ).returning(COUNTER.c.count)
            count = connection.execute(statement).scalar_one()
            self._purge(connection, now)
            return count

        return self._write(work)

    def _purge(self, connection: Connection, now: datetime) -> None:
        if self._purged_at is not None and now - self._purged_at < timedelta(seconds=PURGE_EVERY):
            return
        connection.execute(delete(COUNTER).where(COUNTER.c.expires_at <= now))
        self._purged_at = now

    def get(self, key: str) -> int:
        """Hits in ``key``'s current window (0 when it has none)."""
        row = self._read(
            select(COUNTER.c.count).where(
                COUNTER.c.key == _fit(key), COUNTER.c.expires_at > clock.now()
            )
        )
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        """When ``key``'s window ends, as a POSIX timestamp (now when it has none)."""
        now = clock.now()
        row = self._read(
            select(COUNTER.c.expires_at).where(
                COUNTER.c.key == _fit(key), COUNTER.c.expires_at > now
            )
        )
        return (row[0] if row else now).timestamp()

    def check(self) -> bool:
        try:
            self._read(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        return self._write(lambda connection: connection.execute(delete(COUNTER)).rowcount)

    def clear(self, key: str) -> None:
        self._write(
            lambda connection: connection.execute(delete(COUNTER).where(COUNTER.c.key == _fit(key)))
        )

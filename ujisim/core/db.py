"""Database: engine, one session per request (or CLI command, or job), typed declarative Base.

Services take a ``Session`` and ``flush()``; exactly one boundary commits (view, CLI command, job).
SQLite runs in WAL mode with foreign keys on. Write requests begin their SQLite transaction with
``BEGIN IMMEDIATE`` so that two writers queue on the lock instead of failing mid-transaction.
"""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app, g, has_request_context, request
from flask.cli import AppGroup
from sqlalchemy import DateTime, MetaData, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC; refuses naive datetimes on the way in."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use core.clock.now() or an aware value")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime}


#: letters and digits only: an id that starts with "-" reads as an option on a command line
#: (``flask exam render -x...``) and "_" is easy to lose when an id is read out or underlined
PUBLIC_ID_ALPHABET = string.ascii_letters + string.digits


#: the dialect's INSERT, which has ON CONFLICT (upserts and dropped duplicates), by dialect name
UPSERT_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def new_public_id() -> str:
    """An unguessable id for URLs (26 letters and digits, about 154 bits of randomness)."""
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(26))


def normalise_url(url: str) -> str:
    """Use psycopg (3) for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _setup_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defeats SAVEPOINT and transactional DDL; we emit BEGIN
    # ourselves (SQLAlchemy docs, "Serializable isolation / Savepoints / Transactional DDL").
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection):
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


class Database:
    """Engine and session factories for one app. Nothing connects until first use."""

    def __init__(self, url: str):
        self.url = normalise_url(url)
        self._engine: Engine | None = None
        self._bound: Connection | None = None
        #: write -> the session factory (made once: every request opens a session)
        self._factories: dict[bool, sessionmaker] = {}

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.url, pool_pre_ping=True)
            if self._engine.dialect.name == "sqlite":
                _setup_sqlite(self._engine)
        return self._engine

    @property
    def dialect(self) -> str:
        return make_url(self.url).get_backend_name()

    def session(self, *, write: bool = True) -> Session:
        """A new session; ``write`` sessions take SQLite's write lock when they begin."""
        if self._bound is not None:
            return Session(self._bound, join_transaction_mode="create_savepoint")
        if write not in self._factories:
            bind = self.engine.execution_options(sqlite_begin="IMMEDIATE") if write else self.engine
            self._factories[write] = sessionmaker(bind, expire_on_commit=False)
        return self._factories[write]()

    def bind_to(self, connection: Connection | None) -> None:
        """Tests: make every session a savepoint inside ``connection``'s outer transaction."""
        self._bound = connection

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        self._factories.clear()


def get_db(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["ujisim.db"]


def get_session() -> Session:
    """The session of the current request, CLI command or job (created on first use)."""
    if "db_session" not in g:
        write = not (has_request_context() and request.method in SAFE_METHODS)
        g.db_session = get_db().session(write=write)
    return g.db_session


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()  # rolls back anything the boundary did not commit


db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


def alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def run_alembic(fn, *args, **kwargs):
    """Run an Alembic command on this app's database inside one transaction."""
    cfg = alembic_config()
    with get_db().engine.begin() as connection:
        cfg.attributes["connection"] = connection
        return fn(cfg, *args, **kwargs)


def current_revision(connection: Connection) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    return set(MigrationContext.configure(connection).get_current_heads())


def head_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from alembic import command

    run_alembic(command.upgrade, revision)
    click.echo(f"database at {revision}")


@db_cli.command("downgrade")
@click.argument("revision")
def downgrade_command(revision: str) -> None:
    """Revert migrations down to REVISION."""
    from alembic import command

    run_alembic(command.downgrade, revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def revision_command(message: str) -> None:
    """Autogenerate a migration from the models (review it before committing)."""
    from alembic import command

    run_alembic(command.revision, message=message, autogenerate=True)


@db_cli.command("current")
def current_command() -> None:
    """Show the database's revision and the code's head."""
    with get_db().engine.connect() as connection:
        click.echo(f"database: {', '.join(sorted(current_revision(connection))) or '(empty)'}")
    click.echo(f"code head: {', '.join(sorted(head_revisions()))}")


def ping() -> tuple[bool, bool]:
    """(database reachable, migrations at head) for health checks."""
    with get_db().engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        at_head = current_revision(connection) == _cached_heads()
    return True, at_head


def _cached_heads() -> set[str]:
    heads = current_app.extensions.get("ujisim.migration_heads")
    if heads is None:
        heads = current_app.extensions["ujisim.migration_heads"] = head_revisions()
    return heads


def init_app(app: Flask) -> None:
    app.extensions["ujisim.db"] = Database(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)
    app.cli.add_command(db_cli)

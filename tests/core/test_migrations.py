"""The schema comes only from Alembic, and models and migrations agree on every backend."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tests.conftest import _test_config
from tests.support import PG_URL, migrate, temporary_pg_database
from ujisim.app import create_app
from ujisim.core.db import get_db
from ujisim.models import metadata

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL


def test_models_match_migrations(app):
    with get_db(app).engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def _roundtrip(tmp_path, url):
    from alembic import command

    from ujisim.core.db import run_alembic

    app = create_app(_test_config(tmp_path, url))
    migrate(app)
    with app.app_context():
        run_alembic(command.downgrade, "base")
        with get_db(app).engine.connect() as connection:
            tables = set(connection.dialect.get_table_names(connection)) - {"alembic_version"}
        assert tables == set()
        run_alembic(command.upgrade, "head")
    get_db(app).dispose()


def test_downgrade_to_base_and_up_again(tmp_path):
    _roundtrip(tmp_path, f"sqlite:///{tmp_path / 'roundtrip.db'}")
    if PG_URL:
        with temporary_pg_database(PG_URL) as url:
            _roundtrip(tmp_path, url)

from tests.conftest import _test_config
from tests.support import free_port
from ujisim.app import create_app


def test_ok_when_database_at_head(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "migrations": "head"}


def test_503_when_migrations_are_behind(tmp_path):
    app = create_app(_test_config(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["migrations"] == "behind"


def test_503_when_database_unreachable(tmp_path):
    url = f"postgresql://nobody@127.0.0.1:{free_port()}/none"
    app = create_app(_test_config(tmp_path, url))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}
